package dev.spine.jobs;

import java.time.Duration;

/**
 * Thrown by a handler to put its job back for {@code delay} without using up an attempt and without an
 * error: for "not now" rather than "failed" (a downstream circuit breaker is open, a rate limit is hit).
 */
public final class SnoozeJob extends RuntimeException {
    private final Duration delay;

    public SnoozeJob(Duration delay, String reason) {
        super(reason, null, false, false);
        if (delay == null || delay.isNegative()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "delay", "must not be negative: " + delay);
        }
        this.delay = delay;
    }

    public Duration delay() {
        return delay;
    }
}
