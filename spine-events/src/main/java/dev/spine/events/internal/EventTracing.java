package dev.spine.events.internal;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import dev.spine.events.TraceContexts;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * PRODUCER spans on publish and CONSUMER spans on process, with the OpenTelemetry messaging
 * attributes, and W3C context carried in NATS headers. Whether tracing is live is decided once: with
 * the no-op API every method returns at the first branch, so an unconfigured spine pays nothing.
 */
public final class EventTracing {
    private static final String INSTRUMENTATION = "dev.spine.events";
    private static final TextMapSetter<Headers> HEADER_SETTER = (h, k, v) -> h.put(k, v);
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean enabled;

    public EventTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer(INSTRUMENTATION);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.enabled = TraceContexts.isLive(tracer);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts a PRODUCER span, parented on the current context or else on the envelope's trace context. */
    public Span startPublish(String subject, EventEnvelope e) {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid() && e.traceContext() != null) {
            parent = TraceContexts.extract(propagator, e.traceContext());
        }
        return tracer.spanBuilder("send " + subject).setSpanKind(SpanKind.PRODUCER).setParent(parent)
                .setAttribute("messaging.system", "nats")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.operation.name", "publish")
                .setAttribute("messaging.destination.name", subject)
                .setAttribute("messaging.message.id", e.eventId().toString())
                .setAttribute("messaging.message.conversation_id", e.correlationId().toString())
                .setAttribute("spine.event.type", e.eventType())
                .startSpan();
    }

    /** Starts a CLIENT span for a request-reply query, parented like {@link #startPublish}. */
    public Span startQuery(String subject, EventEnvelope e) {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid() && e.traceContext() != null) {
            parent = TraceContexts.extract(propagator, e.traceContext());
        }
        return tracer.spanBuilder("query " + subject).setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setAttribute("messaging.system", "nats")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.operation.name", "request")
                .setAttribute("messaging.destination.name", subject)
                .setAttribute("messaging.message.id", e.eventId().toString())
                .setAttribute("messaging.message.conversation_id", e.correlationId().toString())
                .setAttribute("spine.event.type", e.eventType())
                .startSpan();
    }

    /** Starts a SERVER span for answering a query, parented on the request's headers (or its envelope). */
    public Span startRespond(Message m, String group, EventEnvelope e) {
        Context parent = TraceContexts.parentOf(propagator, m, e);
        var b = tracer.spanBuilder("respond " + m.getSubject()).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute("messaging.system", "nats")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", m.getSubject())
                .setAttribute("messaging.consumer.group.name", group);
        if (e != null) {
            b.setAttribute("messaging.message.id", e.eventId().toString())
                    .setAttribute("messaging.message.conversation_id", e.correlationId().toString());
        }
        return b.startSpan();
    }

    /** The span's context as an envelope trace context. */
    public static TraceContext traceContextOf(Span span) {
        return TraceContexts.of(span);
    }

    /** Writes the span's context into the headers (traceparent / tracestate). */
    public void inject(Span span, Headers headers) {
        propagator.inject(Context.current().with(span), headers, HEADER_SETTER);
    }

    /** Starts a CONSUMER span whose parent comes from the message headers (or the envelope). */
    public Span startProcess(Message m, String consumer, EventEnvelope e, long deliveredCount) {
        Context parent = TraceContexts.parentOf(propagator, m, e);
        var b = tracer.spanBuilder("process " + m.getSubject()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute("messaging.system", "nats")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", m.getSubject())
                .setAttribute("messaging.consumer.group.name", consumer)
                .setAttribute("messaging.nats.delivered_count", deliveredCount);
        if (e != null) {
            b.setAttribute("messaging.message.id", e.eventId().toString())
                    .setAttribute("messaging.message.conversation_id", e.correlationId().toString());
        }
        return b.startSpan();
    }
}
