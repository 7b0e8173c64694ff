package dev.spine.events.internal;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/**
 * PRODUCER spans on publish and CONSUMER spans on process, with the OpenTelemetry messaging
 * attributes, and W3C context carried in NATS headers. Whether tracing is live is decided once: with
 * the no-op API every method returns at the first branch, so an unconfigured spine pays nothing.
 */
public final class EventTracing {
    private static final String INSTRUMENTATION = "dev.spine.events";
    private static final TextMapSetter<Headers> HEADER_SETTER = (h, k, v) -> h.put(k, v);
    private static final TextMapGetter<Headers> HEADER_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers h) {
            return h.keySet();
        }

        @Override
        public String get(Headers h, String key) {
            return h == null ? null : h.getFirst(key);
        }
    };
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> m) {
            return m.keySet();
        }

        @Override
        public String get(Map<String, String> m, String key) {
            return m == null ? null : m.get(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean enabled;

    public EventTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer(INSTRUMENTATION);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        // an unsampled span from a real SDK still has a valid context; only the no-op API yields an invalid one.
        // The probe is never ended, so it is never exported.
        this.enabled = tracer.spanBuilder("spine.probe").startSpan().getSpanContext().isValid();
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts a PRODUCER span, parented on the current context or else on the envelope's trace context. */
    public Span startPublish(String subject, EventEnvelope e) {
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid() && e.traceContext() != null) {
            parent = extract(e.traceContext());
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

    /** The span's context as an envelope trace context. */
    public static TraceContext traceContextOf(Span span) {
        var sc = span.getSpanContext();
        String traceparent = "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
        String state = sc.getTraceState().isEmpty() ? null : w3cTraceState(sc.getTraceState().asMap());
        return new TraceContext(traceparent, state);
    }

    /** Writes the span's context into the headers (traceparent / tracestate). */
    public void inject(Span span, Headers headers) {
        propagator.inject(Context.current().with(span), headers, HEADER_SETTER);
    }

    /** Starts a CONSUMER span whose parent comes from the message headers (or the envelope). */
    public Span startProcess(Message m, String consumer, EventEnvelope e, long deliveredCount) {
        Context parent = m.hasHeaders() ? propagator.extract(Context.root(), m.getHeaders(), HEADER_GETTER)
                : Context.root();
        if (!Span.fromContext(parent).getSpanContext().isValid() && e != null && e.traceContext() != null) {
            parent = extract(e.traceContext());
        }
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

    private Context extract(TraceContext tc) {
        Map<String, String> carrier = tc.tracestate() == null ? Map.of(SpineHeaders.TRACEPARENT, tc.traceparent())
                : Map.of(SpineHeaders.TRACEPARENT, tc.traceparent(), SpineHeaders.TRACESTATE, tc.tracestate());
        return propagator.extract(Context.root(), carrier, MAP_GETTER);
    }

    private static String w3cTraceState(Map<String, String> entries) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> x : entries.entrySet()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(x.getKey()).append('=').append(x.getValue());
        }
        return sb.toString();
    }
}
