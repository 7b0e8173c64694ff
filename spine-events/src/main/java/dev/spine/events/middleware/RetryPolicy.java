package dev.spine.events.middleware;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * In-process retries of a handler ({@link Middleware#retry}): up to {@code maxAttempts} calls with
 * exponential backoff ({@code initialBackoff × multiplier^(n-1)}, capped at {@code maxBackoff}) minus a
 * random share of up to {@code jitter}. Use it for brief glitches (a dropped connection); the
 * subscription's own redelivery with backoff is the tool for longer outages. An
 * {@link dev.spine.events.EventRejectedException} is never retried.
 */
public final class RetryPolicy {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final double DEFAULT_JITTER = 0.2;

    /** How the policy waits between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double multiplier;
    private final double jitter;
    private final Sleeper sleeper;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.sleeper = b.sleeper;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() { return maxAttempts; }
    Sleeper sleeper() { return sleeper; }

    /** The wait after failed attempt {@code attempt} (1-based), jitter applied. */
    public Duration backoffAfter(int attempt) {
        double base = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(base, maxBackoff.toNanos());
        double jittered = capped * (1 - jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofNanos((long) jittered);
    }

    /** Options; {@link #build()} names a bad field. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private double multiplier = DEFAULT_MULTIPLIER;
        private double jitter = DEFAULT_JITTER;
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

        private Builder() {}

        /** Calls in all, the first included; default {@value RetryPolicy#DEFAULT_MAX_ATTEMPTS}. */
        public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
        public Builder initialBackoff(Duration v) { this.initialBackoff = v; return this; }
        public Builder maxBackoff(Duration v) { this.maxBackoff = v; return this; }
        public Builder multiplier(double v) { this.multiplier = v; return this; }
        /** Share of each wait taken off at random, 0 (none) to 1; default {@value RetryPolicy#DEFAULT_JITTER}. */
        public Builder jitter(double v) { this.jitter = v; return this; }
        public Builder sleeper(Sleeper v) { this.sleeper = v; return this; }

        public RetryPolicy build() {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
            if (initialBackoff == null || initialBackoff.isNegative()) {
                throw new IllegalArgumentException("initialBackoff must be >= 0, got " + initialBackoff);
            }
            if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must be >= initialBackoff, got " + maxBackoff);
            }
            if (!(multiplier >= 1.0)) {
                throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
            }
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
            }
            if (sleeper == null) {
                throw new IllegalArgumentException("sleeper must be set");
            }
            return new RetryPolicy(this);
        }
    }
}
