package dev.spine.jobs;

import java.time.Duration;

/**
 * How this process works one queue: how many jobs run at once, how many are claimed per fetch, and how
 * often an idle worker polls when no notification arrives (the backstop to LISTEN/NOTIFY).
 */
public record QueueOptions(String name, int concurrency, int fetchSize, Duration pollInterval) {
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int DEFAULT_FETCH_SIZE = 100;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    public QueueOptions {
        Names.checkQueue(name, "queues[].name");
        if (concurrency < 1 || concurrency > 10_000) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].concurrency",
                    "must be 1..10000, was " + concurrency);
        }
        if (fetchSize < 1 || fetchSize > 10_000) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].fetchSize",
                    "must be 1..10000, was " + fetchSize);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].pollInterval",
                    "must be positive");
        }
    }

    public static QueueOptions of(String name, int concurrency) {
        return new QueueOptions(name, concurrency, Math.min(DEFAULT_FETCH_SIZE, Math.max(concurrency, 1) * 4),
                DEFAULT_POLL_INTERVAL);
    }

    public QueueOptions fetchSize(int fetchSize) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval);
    }

    public QueueOptions pollInterval(Duration pollInterval) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval);
    }
}
