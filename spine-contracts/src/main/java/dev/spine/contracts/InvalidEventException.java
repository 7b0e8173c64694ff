package dev.spine.contracts;

import java.util.Objects;

/**
 * An event that breaks the envelope contract. Always carries a machine-readable {@link Code} and the
 * offending field (a dotted path such as {@code traceContext.traceparent}, or {@code null} when the
 * problem is the payload as a whole), so callers can route, count and report rejections without
 * parsing messages.
 */
public final class InvalidEventException extends RuntimeException {

    /** Why an event was rejected. */
    public enum Code {
        /** The bytes are not one well-formed JSON object. */
        MALFORMED_JSON,
        /** The encoded event is larger than the configured maximum. */
        PAYLOAD_TOO_LARGE,
        /** A required field is absent. */
        MISSING_FIELD,
        /** A field has the wrong JSON type or an invalid value (id, timestamp, version, ...). */
        INVALID_FIELD,
        /** The event type is not {@code domain.NounVerb}. */
        INVALID_EVENT_TYPE,
        /** The event type's domain is not registered. */
        UNKNOWN_DOMAIN,
        /** A domain name being registered is not lower-case letters and digits. */
        INVALID_DOMAIN
    }

    private final Code code;
    private final String field;

    public InvalidEventException(Code code, String field, String message) {
        this(code, field, message, null);
    }

    public InvalidEventException(Code code, String field, String message, Throwable cause) {
        super(code + (field == null ? "" : " [" + field + "]") + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
    }

    /** The machine-readable reason. */
    public Code code() {
        return code;
    }

    /** The offending field's JSON path, or {@code null} if the payload as a whole is at fault. */
    public String field() {
        return field;
    }
}
