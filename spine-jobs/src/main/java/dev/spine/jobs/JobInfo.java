package dev.spine.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * A job as operators see it, wherever it is: {@code available} or {@code running} (hot table),
 * {@code completed} or {@code cancelled} (archive, until pruned), {@code dead} (dead letters).
 */
public record JobInfo(UUID id, String queue, String type, String state, int priority, int attempt,
        int maxAttempts, String payloadJson, String correlationId, String traceparent, Instant createdAt,
        Instant finishedAt, String errorsJson) {}
