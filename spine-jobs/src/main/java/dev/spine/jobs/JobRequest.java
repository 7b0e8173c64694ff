package dev.spine.jobs;

import dev.spine.jobs.internal.JobFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

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
    /** The raw JSON is known to be one JSON object already (see {@link #withParsedJson}); not parsed again. */
    final boolean jsonChecked;
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

    private JobRequest(Draft d) {
        this.type = d.type;
        this.payload = d.payload;
        this.rawJson = d.rawJson;
        this.jsonChecked = d.jsonChecked;
        this.queue = d.queue;
        this.priority = d.priority;
        this.runAt = d.runAt;
        this.delay = d.delay;
        this.maxAttempts = d.maxAttempts;
        this.backoff = d.backoff;
        this.timeout = d.timeout;
        this.idempotencyKey = d.idempotencyKey;
        this.correlationId = d.correlationId;
        this.traceparent = d.traceparent;
        this.tracestate = d.tracestate;
    }

    /** A job of {@code type} whose payload Jackson serializes to a JSON object (a record, a Map, ...). */
    public static JobRequest of(String type, Object payload) {
        return new JobRequest(new Draft(type, payload, false));
    }

    /** A job whose payload is JSON text (must be a JSON object); checked at enqueue. */
    public static JobRequest json(String type, String payloadJson) {
        return new JobRequest(new Draft(type, payloadJson, true));
    }

    /** A copy of this request with one change: the requests themselves never change. */
    private JobRequest with(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return new JobRequest(d);
    }

    /**
     * A copy with this payload: JSON text of one object that the caller has already parsed as such (say, the
     * bytes of an event its codec just decoded), so the queue does not parse it again. Anything else is the
     * caller's bug; PostgreSQL still refuses text that is not JSON.
     */
    public JobRequest withParsedJson(String payloadJson) {
        return with(d -> {
            d.payload = payloadJson;
            d.rawJson = true;
            d.jsonChecked = true;
        });
    }

    /** The queue (tier) to run on: {@code realtime}, {@code interactive}, {@code background} or a custom one. */
    public JobRequest queue(String queue) {
        return with(d -> d.queue = queue);
    }

    /** Higher runs first within a queue; default 0; -32768..32767. */
    public JobRequest priority(int priority) {
        return with(d -> d.priority = priority);
    }

    /** Not before this instant. */
    public JobRequest runAt(Instant runAt) {
        return with(d -> {
            d.runAt = runAt;
            d.delay = null;
        });
    }

    /** Not before this long after enqueue; must not be negative. */
    public JobRequest delay(Duration delay) {
        return with(d -> {
            d.delay = delay;
            d.runAt = null;
        });
    }

    /** Attempts in all (1 = no retry). */
    public JobRequest maxAttempts(int maxAttempts) {
        return with(d -> d.maxAttempts = maxAttempts);
    }

    public JobRequest backoff(Backoff backoff) {
        return with(d -> d.backoff = backoff);
    }

    /** The handler is interrupted after this long and the attempt fails. */
    public JobRequest timeout(Duration timeout) {
        return with(d -> d.timeout = timeout);
    }

    /**
     * A second enqueue with the same key (while the key lives: see the queue's key retention) inserts
     * nothing and returns the first job's id, also after that job finished.
     */
    public JobRequest idempotencyKey(String key) {
        return with(d -> d.idempotencyKey = key);
    }

    public JobRequest correlationId(String correlationId) {
        return with(d -> d.correlationId = correlationId);
    }

    /** W3C trace context the job's run continues. */
    public JobRequest traceContext(String traceparent, String tracestate) {
        return with(d -> {
            d.traceparent = traceparent;
            d.tracestate = tracestate;
        });
    }

    /** The raw parts for the queue's validation (internal). */
    JobFactory.Fields fields() {
        return new JobFactory.Fields(type, payload, rawJson, jsonChecked, queue, priority, runAt, delay, maxAttempts,
                backoff.initial().toMillis(), backoff.max().toMillis(), timeout, idempotencyKey, correlationId,
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

    /** The mutable twin used to derive a changed copy. */
    private static final class Draft {
        String type;
        Object payload;
        boolean rawJson;
        boolean jsonChecked;
        String queue = DEFAULT_QUEUE;
        int priority;
        Instant runAt;
        Duration delay;
        int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        Backoff backoff = Backoff.DEFAULT;
        Duration timeout = DEFAULT_TIMEOUT;
        String idempotencyKey;
        String correlationId;
        String traceparent;
        String tracestate;

        Draft(String type, Object payload, boolean rawJson) {
            this.type = type;
            this.payload = payload;
            this.rawJson = rawJson;
        }

        Draft(JobRequest r) {
            this(r.type, r.payload, r.rawJson);
            jsonChecked = r.jsonChecked;
            queue = r.queue;
            priority = r.priority;
            runAt = r.runAt;
            delay = r.delay;
            maxAttempts = r.maxAttempts;
            backoff = r.backoff;
            timeout = r.timeout;
            idempotencyKey = r.idempotencyKey;
            correlationId = r.correlationId;
            traceparent = r.traceparent;
            tracestate = r.tracestate;
        }
    }
}
