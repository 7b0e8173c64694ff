package dev.spine.events.internal;

/** NATS header names the spine reads and writes. */
public final class SpineHeaders {
    /** JetStream dedupe key; the spine sets it to the eventId. */
    public static final String MSG_ID = "Nats-Msg-Id";
    public static final String EVENT_TYPE = "Spine-Event-Type";
    public static final String CORRELATION_ID = "Spine-Correlation-Id";
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    public static final String DEAD_REASON = "Spine-Dead-Reason";
    public static final String DEAD_ERROR = "Spine-Dead-Error";
    public static final String DEAD_AT = "Spine-Dead-At";
    public static final String ORIGINAL_SUBJECT = "Spine-Original-Subject";
    public static final String ORIGINAL_STREAM = "Spine-Original-Stream";
    public static final String ORIGINAL_SEQUENCE = "Spine-Original-Sequence";
    public static final String ORIGINAL_MSG_ID = "Spine-Original-Msg-Id";
    public static final String CONSUMER = "Spine-Consumer";
    public static final String DELIVERIES = "Spine-Deliveries";

    private SpineHeaders() {}

    /** True for headers the dead-letter copy adds (stripped again on republish). */
    public static boolean isDeadLetterHeader(String name) {
        return name.startsWith("Spine-Dead-") || name.startsWith("Spine-Original-") || name.equals(CONSUMER)
                || name.equals(DELIVERIES);
    }
}
