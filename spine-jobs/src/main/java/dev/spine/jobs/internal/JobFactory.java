package dev.spine.jobs.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a request into a {@link NewJob}: checks every field (naming it in the error), serializes the
 * payload, resolves defaults. Nothing is written here, so a bad job in a batch rejects the whole batch
 * before any row exists.
 */
public final class JobFactory {
    static final int MAX_TYPE_LENGTH = 200;
    static final int MAX_KEY_LENGTH = 500;
    static final int MAX_ATTEMPTS_LIMIT = 1000;
    static final Duration MAX_TIMEOUT = Duration.ofDays(24);

    private final ObjectMapper mapper;
    private final Clock clock;
    private final QueueRegistry queues;
    private final int maxPayloadBytes;

    public JobFactory(ObjectMapper mapper, Clock clock, QueueRegistry queues, int maxPayloadBytes) {
        this.mapper = mapper;
        this.clock = clock;
        this.queues = queues;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The request's raw parts, read from {@code dev.spine.jobs.JobRequest} by its package. */
    public record Fields(String type, Object payload, boolean rawJson, boolean jsonChecked, String queue, int priority, Instant runAt,
            Duration delay, int maxAttempts, long backoffMillis, long backoffMaxMillis, Duration timeout,
            String idempotencyKey, String correlationId, String traceparent, String tracestate) {}

    /** @param at the field prefix for errors: "" for one job, "jobs[3]." in a batch */
    public NewJob create(Fields f, String at) {
        if (f.type() == null || f.type().isBlank()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, at + "type", "a job type is required");
        }
        if (f.type().length() > MAX_TYPE_LENGTH) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "type", "longer than " + MAX_TYPE_LENGTH);
        }
        if (f.queue() == null || f.queue().isBlank()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, at + "queue", "a queue is required");
        }
        queues.check(f.queue(), at + "queue");
        if (f.priority() < Short.MIN_VALUE || f.priority() > Short.MAX_VALUE) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "priority", "must be -32768..32767");
        }
        Instant now = clock.instant();
        Instant runAt = now;
        if (f.delay() != null) {
            if (f.delay().isNegative()) {
                throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "delay", "must not be negative: " + f.delay());
            }
            runAt = now.plus(f.delay());
        } else if (f.runAt() != null) {
            runAt = f.runAt();
        }
        if (f.maxAttempts() < 1 || f.maxAttempts() > MAX_ATTEMPTS_LIMIT) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "maxAttempts",
                    "must be 1.." + MAX_ATTEMPTS_LIMIT + ", was " + f.maxAttempts());
        }
        if (f.timeout() == null || f.timeout().isNegative() || f.timeout().isZero()
                || f.timeout().compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "timeout", "must be positive and at most "
                    + MAX_TIMEOUT + ", was " + f.timeout());
        }
        if (f.idempotencyKey() != null && (f.idempotencyKey().isEmpty() || f.idempotencyKey().length() > MAX_KEY_LENGTH)) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, at + "idempotencyKey",
                    "must be 1.." + MAX_KEY_LENGTH + " characters");
        }
        String payload = payloadJson(f, at + "payload");
        return new NewJob(Ids.next(), f.queue(), f.type(), (short) f.priority(), runAt, f.maxAttempts(),
                (int) f.backoffMillis(), (int) f.backoffMaxMillis(), (int) f.timeout().toMillis(), payload,
                f.idempotencyKey(), f.correlationId(), f.traceparent(), f.tracestate());
    }

    private String payloadJson(Fields f, String field) {
        if (f.payload() == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, field, "a payload is required (use an empty map for none)");
        }
        String json;
        if (f.rawJson()) {
            json = (String) f.payload();
            if (!f.jsonChecked()) {
                checkObject(json, field);
            }
        } else {
            try {
                json = mapper.writeValueAsString(f.payload());
            } catch (JsonProcessingException e) {
                throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field,
                        "cannot serialize " + f.payload().getClass().getName() + " to JSON: " + e.getOriginalMessage(), e);
            }
            if (!json.startsWith("{")) {
                throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field,
                        "must serialize to a JSON object, got: " + abbreviate(json));
            }
        }
        // chars <= bytes <= 4 * chars: count bytes only when the cheap bound does not decide
        if (json.length() > maxPayloadBytes
                || (json.length() * 4L > maxPayloadBytes && json.getBytes(StandardCharsets.UTF_8).length > maxPayloadBytes)) {
            throw new InvalidJobException(JobErrorCode.PAYLOAD_TOO_LARGE, field,
                    "larger than the maximum of " + maxPayloadBytes + " bytes");
        }
        if (json.indexOf('\u0000') >= 0 || json.contains("\\u0000")) {
            throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field,
                    "contains a NUL character, which PostgreSQL cannot store");
        }
        return json;
    }

    private void checkObject(String json, String field) {
        try (JsonParser p = mapper.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field, "must be a JSON object: "
                        + abbreviate(json));
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field, "trailing content after the object");
            }
        } catch (IOException e) {
            throw new InvalidJobException(JobErrorCode.NOT_SERIALIZABLE, field, "not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
