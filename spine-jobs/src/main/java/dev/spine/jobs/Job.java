package dev.spine.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/**
 * A job as its handler sees it: one attempt of one job. {@link #attempt()} counts from 1; a job may run
 * more than once (after a crash or a failed attempt), so handlers must be idempotent.
 */
public final class Job {
    private final UUID id;
    private final String queue;
    private final String type;
    private final String payloadJson;
    private final int attempt;
    private final int maxAttempts;
    private final int priority;
    private final String idempotencyKey;
    private final String correlationId;
    private final String traceparent;
    private final String tracestate;
    private final Instant createdAt;
    private final Instant runAt;
    private final ObjectMapper mapper;

    public Job(UUID id, String queue, String type, String payloadJson, int attempt, int maxAttempts, int priority,
            String idempotencyKey, String correlationId, String traceparent, String tracestate, Instant createdAt,
            Instant runAt, ObjectMapper mapper) {
        this.id = id;
        this.queue = queue;
        this.type = type;
        this.payloadJson = payloadJson;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.priority = priority;
        this.idempotencyKey = idempotencyKey;
        this.correlationId = correlationId;
        this.traceparent = traceparent;
        this.tracestate = tracestate;
        this.createdAt = createdAt;
        this.runAt = runAt;
        this.mapper = mapper;
    }

    public UUID id() {
        return id;
    }

    public String queue() {
        return queue;
    }

    public String type() {
        return type;
    }

    /** The payload as JSON text (a JSON object). */
    public String payloadJson() {
        return payloadJson;
    }

    /** The payload read into {@code type} with the queue's Jackson mapper. */
    public <T> T payload(Class<T> type) {
        try {
            return mapper.readValue(payloadJson, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("payload of job " + id + " does not read as " + type.getName(), e);
        }
    }

    /** This attempt, from 1. */
    public int attempt() {
        return attempt;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** True when a failure of this attempt sends the job to the dead letters. */
    public boolean isLastAttempt() {
        return attempt >= maxAttempts;
    }

    public int priority() {
        return priority;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public String correlationId() {
        return correlationId;
    }

    public String traceparent() {
        return traceparent;
    }

    public String tracestate() {
        return tracestate;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** When the job became due (its run-at, or the end of its backoff). */
    public Instant runAt() {
        return runAt;
    }

    @Override
    public String toString() {
        return "Job{" + type + " " + id + " attempt " + attempt + "/" + maxAttempts + " on " + queue + "}";
    }
}
