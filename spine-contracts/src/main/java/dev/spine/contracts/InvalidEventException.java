package dev.spine.contracts;

import java.util.List;
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
        INVALID_DOMAIN,
        /**
         * {@code data} breaks the JSON Schema registered for the event's type and version (see
         * {@link EventSchemas}); {@link #field()} is the first offending path, e.g. {@code data.email}.
         */
        SCHEMA_VALIDATION_ERROR
    }

    private final Code code;
    private final String field;
    private final List<Violation> violations;

    /** One broken rule: the field's path (e.g. {@code data.email}) and what is wrong with it. */
    public record Violation(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    public InvalidEventException(Code code, String field, String message) {
        this(code, field, message, null);
    }

    public InvalidEventException(Code code, String field, String message, Throwable cause) {
        super(code + (field == null ? "" : " [" + field + "]") + ": " + message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.violations = List.of(new Violation(field, message));
    }

    /**
     * Several violations at once (schema validation reports every one); {@link #field()} is the first's.
     * The message lists them all as {@code field: message}.
     */
    public InvalidEventException(Code code, List<Violation> violations) {
        super(code + ": " + String.join("; ", violations.stream().map(Violation::toString).toList()));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("violations must not be empty");
        }
        this.code = Objects.requireNonNull(code, "code");
        this.field = violations.get(0).field();
        this.violations = List.copyOf(violations);
    }

    /** The machine-readable reason. */
    public Code code() {
        return code;
    }

    /** The offending field's JSON path, or {@code null} if the payload as a whole is at fault. */
    public String field() {
        return field;
    }

    /** Every violation found (one for envelope errors, possibly several for schema errors). */
    public List<Violation> violations() {
        return violations;
    }
}
