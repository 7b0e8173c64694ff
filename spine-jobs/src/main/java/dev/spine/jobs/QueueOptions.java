package dev.spine.jobs;

import java.time.Duration;

/**
 * How this process works one queue: how many jobs run at once, how many are claimed per fetch, how often
 * an idle worker polls when no notification arrives (the backstop to LISTEN/NOTIFY), how many fetches are
 * in flight, and how many jobs this process may insert already claimed for itself beyond that (direct
 * dispatch: {@code dispatchRoom}, default one fetch's worth).
 */
public record QueueOptions(String name, int concurrency, int fetchSize, Duration pollInterval, int fetchers,
        int dispatchRoom) {
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int DEFAULT_FETCH_SIZE = 100;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /**
     * Fetches in flight at once per queue: two let one claim round-trip while the other's batch runs, and
     * PostgreSQL work on both cores (the drain benchmark: about 1.4x one fetcher on 2 cores). Only the first
     * polls; the others fetch when woken, so an idle queue costs one poll per interval.
     */
    public static final int DEFAULT_FETCHERS = 2;

    public QueueOptions(String name, int concurrency, int fetchSize, Duration pollInterval) {
        this(name, concurrency, fetchSize, pollInterval, DEFAULT_FETCHERS);
    }

    public QueueOptions(String name, int concurrency, int fetchSize, Duration pollInterval, int fetchers) {
        this(name, concurrency, fetchSize, pollInterval, fetchers, fetchSize);
    }

    public QueueOptions {
        if (fetchers < 1 || fetchers > 16) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].fetchers",
                    "must be 1..16, was " + fetchers);
        }
        Names.checkQueue(name, "queues[].name");
        if (concurrency < 1 || concurrency > 10_000) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].concurrency",
                    "must be 1..10000, was " + concurrency);
        }
        if (fetchSize < 1 || fetchSize > 10_000) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].fetchSize",
                    "must be 1..10000, was " + fetchSize);
        }
        if (dispatchRoom < 0 || dispatchRoom > 100_000) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].dispatchRoom",
                    "must be 0..100000, was " + dispatchRoom);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "queues[" + name + "].pollInterval",
                    "must be positive");
        }
    }

    public static QueueOptions of(String name, int concurrency) {
        return new QueueOptions(name, concurrency, Math.min(DEFAULT_FETCH_SIZE, Math.max(concurrency, 1) * 4),
                DEFAULT_POLL_INTERVAL, DEFAULT_FETCHERS);
    }

    public QueueOptions fetchSize(int fetchSize) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval, fetchers, dispatchRoom);
    }

    public QueueOptions pollInterval(Duration pollInterval) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval, fetchers, dispatchRoom);
    }

    public QueueOptions fetchers(int fetchers) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval, fetchers, dispatchRoom);
    }

    /**
     * Jobs this process may hold inserted-and-claimed for itself (direct dispatch) beyond the room of its
     * fetches. Room for a whole insert batch keeps a steady stream of batches away from the fetch path. A
     * crash gives the attempts of those never fetched back (see the rescue in the README).
     */
    public QueueOptions dispatchRoom(int dispatchRoom) {
        return new QueueOptions(name, concurrency, fetchSize, pollInterval, fetchers, dispatchRoom);
    }
}
