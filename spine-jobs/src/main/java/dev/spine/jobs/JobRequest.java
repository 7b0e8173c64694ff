package dev.spine.jobs;

import java.time.Duration;
import java.time.Instant;

/**
 * What to enqueue: a job type, a payload (any Jackson-serializable object that becomes a JSON object,
 * or JSON text via {@link #json}), and options. Immutable; build with {@link #of} and the {@code with}
 * methods. Validation that needs the queue's configuration happens at enqueue, before anything is written.
 */
public final class JobRequest {
    /** Queue used when none is given. */
    public static final String DEFAULT_QUEUE = "background";
    /** Attempts (first run plus retries) when none are given. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Handler timeout when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    final String type;
    final Object payload;
    final boolean rawJson;
    final String queue;
    final int priority;
    final Instant runAt;
    final Duration delay;
    final int maxAttempts;
    final Backoff backoff;
    final Duration timeout;
    final String idempotencyKey;
    final String correlationId;
    final String traceparent;
    final String tracestate;

    private JobRequest(String type, Object payload, boolean rawJson, String queue, int priority, Instant runAt,
            Duration delay, int maxAttempts, Backoff backoff, Duration timeout, String idempotencyKey,
            String correlationId, String traceparent, String tracestate) {
        this.type = type;
        this.payload = payload;
        this.rawJson = rawJson;
        this.queue = queue;
        this.priority = priority;
        this.runAt = runAt;
        this.delay = delay;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.timeout = timeout;
        this.idempotencyKey = idempotencyKey;
        this.correlationId = correlationId;
        this.traceparent = traceparent;
        this.tracestate = tracestate;
    }

    /** A job of {@code type} whose payload Jackson serializes to a JSON object (a record, a Map, ...). */
    public static JobRequest of(String type, Object payload) {
        return new JobRequest(type, payload, false, DEFAULT_QUEUE, 0, null, null, DEFAULT_MAX_ATTEMPTS,
                Backoff.DEFAULT, DEFAULT_TIMEOUT, null, null, null, null);
    }

    /** A job whose payload is JSON text (must be a JSON object); checked at enqueue. */
    public static JobRequest json(String type, String payloadJson) {
        return new JobRequest(type, payloadJson, true, DEFAULT_QUEUE, 0, null, null, DEFAULT_MAX_ATTEMPTS,
                Backoff.DEFAULT, DEFAULT_TIMEOUT, null, null, null, null);
    }

    private JobRequest copy(String queue, int priority, Instant runAt, Duration delay, int maxAttempts,
            Backoff backoff, Duration timeout, String key, String correlationId, String traceparent,
            String tracestate) {
        return new JobRequest(type, payload, rawJson, queue, priority, runAt, delay, maxAttempts, backoff, timeout,
                key, correlationId, traceparent, tracestate);
    }

    /** The queue (tier) to run on: {@code realtime}, {@code interactive}, {@code background} or a custom one. */
    public JobRequest queue(String queue) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** Higher runs first within a queue; default 0; -32768..32767. */
    public JobRequest priority(int priority) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** Not before this instant. */
    public JobRequest runAt(Instant runAt) {
        return copy(queue, priority, runAt, null, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** Not before this long after enqueue; must not be negative. */
    public JobRequest delay(Duration delay) {
        return copy(queue, priority, null, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** Attempts in all (1 = no retry). */
    public JobRequest maxAttempts(int maxAttempts) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    public JobRequest backoff(Backoff backoff) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** The handler is interrupted after this long and the attempt fails. */
    public JobRequest timeout(Duration timeout) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /**
     * A second enqueue with the same key (while the key lives: see the queue's key retention) inserts
     * nothing and returns the first job's id, also after that job finished.
     */
    public JobRequest idempotencyKey(String key) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, key, correlationId, traceparent,
                tracestate);
    }

    public JobRequest correlationId(String correlationId) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    /** W3C trace context the job's run continues. */
    public JobRequest traceContext(String traceparent, String tracestate) {
        return copy(queue, priority, runAt, delay, maxAttempts, backoff, timeout, idempotencyKey, correlationId,
                traceparent, tracestate);
    }

    public String type() {
        return type;
    }

    public String queue() {
        return queue;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    @Override
    public String toString() {
        return "JobRequest{type=" + type + ", queue=" + queue + ", key=" + idempotencyKey + "}";
    }
}
