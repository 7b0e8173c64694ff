package dev.spine.events.middleware;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;

/**
 * Settings of a circuit breaker (Resilience4j underneath) for {@link Middleware#circuitBreaker}: it
 * opens when at least {@code failureRateThreshold} percent of the last {@code slidingWindowSize} calls
 * failed (once {@code minimumCalls} were seen), holds for {@code waitInOpenState} (events arriving then
 * are not handled but retried later by the subscription), then half-opens and lets
 * {@code permittedCallsInHalfOpenState} trial calls through: enough successes close it, failures open
 * it again. Time comes from {@code clock}, so tests move it instead of sleeping.
 */
public final class CircuitBreakerPolicy {
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
    public static final int DEFAULT_MINIMUM_CALLS = 10;
    public static final Duration DEFAULT_WAIT_IN_OPEN_STATE = Duration.ofSeconds(30);
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 3;

    private final CircuitBreaker breaker;

    private CircuitBreakerPolicy(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    /** A policy for the breaker named {@code name} (the downstream it protects, e.g. {@code search}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The breaker itself: its state, metrics and event publisher (for alerts). */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Options; {@link #build()} names a bad field. */
    public static final class Builder {
        private final String name;
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumCalls = DEFAULT_MINIMUM_CALLS;
        private Duration waitInOpenState = DEFAULT_WAIT_IN_OPEN_STATE;
        private int permittedCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            this.name = name;
        }

        /** Percent of failed calls (0 < v <= 100) that opens the breaker. */
        public Builder failureRateThreshold(float v) { this.failureRateThreshold = v; return this; }
        /** How many recent calls the failure rate is computed over. */
        public Builder slidingWindowSize(int v) { this.slidingWindowSize = v; return this; }
        /** Calls needed before the rate is judged at all. */
        public Builder minimumCalls(int v) { this.minimumCalls = v; return this; }
        /** How long the breaker stays open before a trial (the recovery time). */
        public Builder waitInOpenState(Duration v) { this.waitInOpenState = v; return this; }
        public Builder permittedCallsInHalfOpenState(int v) { this.permittedCallsInHalfOpenState = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }

        public CircuitBreakerPolicy build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must be non-blank");
            }
            if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
                throw new IllegalArgumentException("failureRateThreshold must be in (0, 100], got " + failureRateThreshold);
            }
            if (slidingWindowSize < 1) {
                throw new IllegalArgumentException("slidingWindowSize must be >= 1, got " + slidingWindowSize);
            }
            if (minimumCalls < 1) {
                throw new IllegalArgumentException("minimumCalls must be >= 1, got " + minimumCalls);
            }
            if (waitInOpenState == null || waitInOpenState.isNegative() || waitInOpenState.isZero()) {
                throw new IllegalArgumentException("waitInOpenState must be a positive duration, got " + waitInOpenState);
            }
            if (permittedCallsInHalfOpenState < 1) {
                throw new IllegalArgumentException("permittedCallsInHalfOpenState must be >= 1, got "
                        + permittedCallsInHalfOpenState);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock must be set");
            }
            CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                    .failureRateThreshold(failureRateThreshold)
                    .slidingWindow(slidingWindowSize, minimumCalls, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                    .waitDurationInOpenState(waitInOpenState)
                    .permittedNumberOfCallsInHalfOpenState(permittedCallsInHalfOpenState)
                    .clock(clock)
                    .build();
            return new CircuitBreakerPolicy(CircuitBreaker.of(name, config));
        }
    }
}
