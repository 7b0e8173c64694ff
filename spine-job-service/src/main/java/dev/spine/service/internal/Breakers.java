package dev.spine.service.internal;

import dev.spine.jobs.JobHandler;
import dev.spine.jobs.SnoozeJob;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A circuit breaker per job type: after too many failures in a window it opens, and jobs of that type
 * wait (snoozed, no attempt used) instead of failing against a broken dependency; after the open period a
 * few half-open probes decide whether it closes again.
 */
public final class Breakers {
    /** Runs per job type that form the failure-rate window. */
    public static final int WINDOW = 20;
    /** Probes allowed while half-open. */
    public static final int HALF_OPEN_PROBES = 3;

    private final CircuitBreakerRegistry registry;
    private final Duration openFor;

    public Breakers(int failureRatePercent, Duration openFor) {
        this.openFor = openFor;
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(failureRatePercent)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(WINDOW)
                .minimumNumberOfCalls(Math.min(WINDOW, 10))
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_PROBES)
                .build());
    }

    public JobHandler wrap(String jobType, JobHandler handler) {
        CircuitBreaker breaker = registry.circuitBreaker(jobType);
        return job -> {
            if (!breaker.tryAcquirePermission()) {
                throw new SnoozeJob(openFor, "circuit breaker of " + jobType + " is open");
            }
            long start = System.nanoTime();
            try {
                handler.handle(job);
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } catch (SnoozeJob snooze) {
                breaker.releasePermission();
                throw snooze;
            } catch (Exception | Error e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                throw e;
            }
        };
    }

    /** The breaker's state by job type name (CLOSED, OPEN, HALF_OPEN), for health and the API. */
    public java.util.Map<String, String> states() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        registry.getAllCircuitBreakers().forEach(b -> out.put(b.getName(), b.getState().name()));
        return out;
    }
}
