package dev.spine.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * A job that used up its attempts. {@code errorsJson} is a JSON array with one object per failed attempt
 * ({@code attempt}, {@code at}, {@code error}). {@link JobQueue#redrive} puts it back as a fresh job.
 */
public record DeadJob(UUID id, String queue, String type, int priority, int attempts, int maxAttempts,
        String payloadJson, String idempotencyKey, String correlationId, String traceparent, String tracestate,
        Instant createdAt, Instant diedAt, String errorsJson) {}
