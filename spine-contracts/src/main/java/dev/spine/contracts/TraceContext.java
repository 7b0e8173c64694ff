package dev.spine.contracts;

import dev.spine.contracts.internal.FieldRules;

/**
 * W3C trace context carried inside an envelope. {@code traceparent} is validated against the W3C
 * format ({@code 00-<32 hex>-<16 hex>-<2 hex>}); {@code tracestate} is optional and opaque.
 */
public record TraceContext(String traceparent, String tracestate) {

    /** @throws InvalidEventException {@code INVALID_FIELD} if traceparent is missing or malformed */
    public TraceContext {
        if (traceparent == null) {
            throw new InvalidEventException(InvalidEventException.Code.MISSING_FIELD,
                    "traceContext.traceparent", "traceparent is required inside traceContext");
        }
        if (!FieldRules.isTraceparent(traceparent)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD,
                    "traceContext.traceparent", "not a W3C traceparent: " + traceparent);
        }
    }

    /** A trace context without tracestate. */
    public static TraceContext of(String traceparent) {
        return new TraceContext(traceparent, null);
    }
}
