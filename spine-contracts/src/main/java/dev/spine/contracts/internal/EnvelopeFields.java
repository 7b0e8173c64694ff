package dev.spine.contracts.internal;

import java.util.List;
import java.util.Set;

/** The envelope's own top-level field names, as they appear on the wire. */
public final class EnvelopeFields {
    public static final String EVENT_ID = "eventId";
    public static final String EVENT_TYPE = "eventType";
    public static final String EVENT_VERSION = "eventVersion";
    public static final String TIMESTAMP = "timestamp";
    public static final String SOURCE = "source";
    public static final String CORRELATION_ID = "correlationId";
    public static final String DATA = "data";
    public static final String CAUSATION_ID = "causationId";
    public static final String TENANT_ID = "tenantId";
    public static final String TRACE_CONTEXT = "traceContext";
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /**
     * Optional fields carried as top-level extensions (so envelopes without them keep the canonical fast
     * path, and readers that predate them still see them as extensions), but checked by the builder.
     */
    public static final String PARTITION_KEY = "partitionKey";
    public static final String REPLY_TO = "replyTo";

    /** Required fields in wire order; a decoder reports the first one missing. */
    public static final List<String> REQUIRED =
            List.of(EVENT_ID, EVENT_TYPE, EVENT_VERSION, TIMESTAMP, SOURCE, CORRELATION_ID, DATA);

    private static final Set<String> KNOWN = Set.of(EVENT_ID, EVENT_TYPE, EVENT_VERSION, TIMESTAMP, SOURCE,
            CORRELATION_ID, DATA, CAUSATION_ID, TENANT_ID, TRACE_CONTEXT);

    private EnvelopeFields() {}

    public static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }
}
