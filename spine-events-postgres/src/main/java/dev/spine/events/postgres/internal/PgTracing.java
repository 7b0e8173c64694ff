package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.TraceContexts;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * The CONSUMER span of one event a subscriber of the PostgreSQL bus handles, as the NATS subscription makes
 * one: child of the event's trace context (the envelope's: the table keeps no headers), with the messaging
 * attributes and {@code messaging.system=postgresql}. With the no-op API there is no span, and the handler
 * still runs in the event's trace context ({@link TraceContexts#handlerContext}).
 */
public final class PgTracing {
    /** What the bus's spans name as {@code messaging.system} ({@link dev.spine.events.EventBus#messagingSystem()}). */
    public static final String SYSTEM = "postgresql";
    private final Tracer tracer;
    private final boolean enabled;

    public PgTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer("dev.spine.events.postgres");
        this.enabled = TraceContexts.isLive(tracer);
    }

    /** The span of handling {@code e} for {@code group}, or null when tracing is off. */
    public Span startProcess(EventEnvelope e, String group, long deliveredCount) {
        if (!enabled) {
            return null;
        }
        return tracer.spanBuilder("process " + e.eventType()).setSpanKind(SpanKind.CONSUMER)
                .setParent(TraceContexts.handlerContext(e))
                .setAttribute("messaging.system", SYSTEM)
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", e.eventType())
                .setAttribute("messaging.consumer.group.name", group)
                .setAttribute("messaging.message.id", e.eventId().toString())
                .setAttribute("messaging.message.conversation_id", e.correlationId().toString())
                .setAttribute("spine.event.delivered_count", deliveredCount)
                .startSpan();
    }

    /** Marks the span failed by {@code failure} (null span: nothing). */
    public static void failed(Span span, Throwable failure) {
        if (span != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
    }

    /** Ends the span (null: nothing). */
    public static void end(Span span) {
        if (span != null) {
            span.end();
        }
    }
}
