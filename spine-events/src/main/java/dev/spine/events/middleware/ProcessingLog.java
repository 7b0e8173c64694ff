package dev.spine.events.middleware;

import java.time.Duration;

/**
 * Which (handler, key) pairs have been processed, so a redelivered event runs its handler once
 * ({@link Middleware#idempotency}). A claim is leased: a handler that died while holding it is
 * claimed again once the lease has run out. Implementations: {@link InMemoryProcessingLog} (one process,
 * development) and {@code PostgresProcessingLog} in spine-events-postgres (shared by every instance).
 */
public interface ProcessingLog {

    /** What {@link #tryStart} found. */
    enum Claim {
        /** The caller holds the claim and must {@link #complete} or {@link #release} it. */
        STARTED,
        /** Processed successfully before: skip the handler and acknowledge. */
        ALREADY_DONE,
        /** Another delivery holds a live claim: retry later. */
        IN_PROGRESS
    }

    /** Claims {@code key} for {@code handler} for at most {@code lease}. */
    Claim tryStart(String handler, String key, Duration lease);

    /** Records that the handler succeeded for {@code key}; later claims return {@link Claim#ALREADY_DONE}. */
    void complete(String handler, String key);

    /** Gives up a claim after a failure, so the next delivery runs the handler again. */
    void release(String handler, String key);
}
