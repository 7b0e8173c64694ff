package dev.spine.jobs.internal;

import java.time.Instant;
import java.util.UUID;

/** A validated job ready to insert: the payload is already JSON text and every option is resolved. */
public record NewJob(UUID id, String queue, String type, short priority, Instant runAt, int maxAttempts,
        int backoffMillis, int backoffMaxMillis, int timeoutMillis, String payloadJson, String idempotencyKey,
        String correlationId, String traceparent, String tracestate) {}
