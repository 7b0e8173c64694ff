package dev.spine.events;

import dev.spine.contracts.EventEnvelope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;

/**
 * The SLF4J MDC keys of an event being handled: {@value #EVENT_ID}, {@value #EVENT_TYPE},
 * {@value #CORRELATION_ID} and {@value #TRACE_ID}. Every subscription of every backend puts them before it
 * calls the handler and removes them after it has logged how the delivery ended, so each line logged on that
 * thread (the handler's, a retry, a dead letter) names the event; a job's lines carry the same
 * {@code correlationId} and {@code traceId} (spine-jobs puts {@code jobId} instead of {@code eventId}).
 * A batch handler's lines name no single event. Costs a few map puts per event, no formatting.
 */
public final class EventLogContext {
    public static final String EVENT_ID = "eventId";
    public static final String EVENT_TYPE = "eventType";
    public static final String CORRELATION_ID = "correlationId";
    public static final String TRACE_ID = "traceId";
    /** {@code 00-<32 hex trace id>-<16 hex span id>-<flags>}: where the trace id sits in a W3C traceparent. */
    private static final int TRACE_ID_START = 3;
    private static final int TRACE_ID_END = 35;

    private EventLogContext() {}

    /**
     * Puts the event's keys. The trace id is the envelope's; an event published without trace context gets
     * the current span's (the subscription's process span, when tracing is on).
     */
    public static void enter(EventEnvelope event) {
        MDC.put(EVENT_ID, event.eventId().toString());
        MDC.put(EVENT_TYPE, event.eventType());
        MDC.put(CORRELATION_ID, event.correlationId().toString());
        String traceId = event.traceContext() == null ? null : traceId(event.traceContext().traceparent());
        if (traceId == null) {
            SpanContext current = Span.current().getSpanContext();
            traceId = current.isValid() ? current.getTraceId() : null;
        }
        if (traceId != null) {
            MDC.put(TRACE_ID, traceId);
        } else {
            MDC.remove(TRACE_ID); // a loop enters event after event: no trace id left from the one before
        }
    }

    /** Removes what {@link #enter} put (a loop over events may enter each and exit once, after the last). */
    public static void exit() {
        MDC.remove(EVENT_ID);
        MDC.remove(EVENT_TYPE);
        MDC.remove(CORRELATION_ID);
        MDC.remove(TRACE_ID);
    }

    /** The trace id of a W3C {@code traceparent}, or null when there is none. */
    static String traceId(String traceparent) {
        return traceparent == null || traceparent.length() < TRACE_ID_END ? null
                : traceparent.substring(TRACE_ID_START, TRACE_ID_END);
    }
}
