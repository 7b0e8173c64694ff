package dev.spine.jobs;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff between attempts: {@code initial * 2^(attempt-1)}, capped at {@code max}, with
 * "equal jitter" (the delay is drawn uniformly from [d/2, d]) so that jobs failing together do not
 * retry together.
 */
public record Backoff(Duration initial, Duration max) {
    /** 1 s doubling up to 1 h. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofHours(1));

    public Backoff {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "backoff.initial", "must be positive");
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "backoff.max", "must be >= backoff.initial");
        }
        if (max.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "backoff.max", "must be under 24 days");
        }
    }

    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max);
    }

    /** The delay before the attempt after {@code failedAttempt} (1-based), jitter included. */
    public static Duration delay(long initialMillis, long maxMillis, int failedAttempt) {
        int shift = Math.min(Math.max(failedAttempt - 1, 0), 30);
        long full = Math.min(maxMillis, initialMillis << shift);
        if (full < 0) {
            full = maxMillis;
        }
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(full - half + 1));
    }
}
