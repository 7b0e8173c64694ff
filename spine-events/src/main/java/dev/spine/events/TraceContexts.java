package dev.spine.events;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Map;

/**
 * W3C trace context of events, for code that makes its own spans around them (the job service does):
 * where the context of a received event comes from, and how a span's context is written into an envelope.
 */
public final class TraceContexts {
    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers h) {
            return h.keySet();
        }

        @Override
        public String get(Headers h, String key) {
            return h == null ? null : h.getFirst(key);
        }
    };
    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> m) {
            return m.keySet();
        }

        @Override
        public String get(Map<String, String> m, String key) {
            return m == null ? null : m.get(key);
        }
    };

    private TraceContexts() {}

    private static final TextMapGetter<Delivery> DELIVERY = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Delivery d) {
            return d.headers().keySet();
        }

        @Override
        public String get(Delivery d, String key) {
            return d == null ? null : d.header(key);
        }
    };

    /**
     * The context a delivered event's processing continues: the delivery's {@code traceparent} header, else
     * the envelope's trace context (events from clients that set no headers, and backends that keep no
     * headers), else the root. Reads single headers only; no header map is built.
     */
    public static Context parentOf(TextMapPropagator propagator, Delivery delivery, EventEnvelope envelope) {
        Context parent = delivery != null && delivery.header("traceparent") != null
                ? propagator.extract(Context.root(), delivery, DELIVERY) : Context.root();
        return orEnvelope(propagator, parent, envelope);
    }

    /** As {@link #parentOf(TextMapPropagator, Delivery, EventEnvelope)}, from headers held in a map (may be null). */
    public static Context parentOf(TextMapPropagator propagator, Map<String, String> headers, EventEnvelope envelope) {
        Context parent = headers != null && !headers.isEmpty() ? propagator.extract(Context.root(), headers, MAP)
                : Context.root();
        return orEnvelope(propagator, parent, envelope);
    }

    private static Context orEnvelope(TextMapPropagator propagator, Context parent, EventEnvelope envelope) {
        if (!Span.fromContext(parent).getSpanContext().isValid() && envelope != null && envelope.traceContext() != null) {
            return extract(propagator, envelope.traceContext());
        }
        return parent;
    }

    /**
     * The context a received NATS message's processing continues.
     *
     * @deprecated NATS types do not belong in the public API: use
     *     {@link #parentOf(TextMapPropagator, Delivery, EventEnvelope)} with a batch subscription's delivery.
     *     Kept only until spine-job-service's IngestTracing is ported to it; nothing else uses it.
     */
    @Deprecated(forRemoval = true)
    public static Context parentOf(TextMapPropagator propagator, Message message, EventEnvelope envelope) {
        Context parent = message != null && message.hasHeaders()
                ? propagator.extract(Context.root(), message.getHeaders(), HEADERS) : Context.root();
        if (!Span.fromContext(parent).getSpanContext().isValid() && envelope != null && envelope.traceContext() != null) {
            parent = extract(propagator, envelope.traceContext());
        }
        return parent;
    }

    /** The context an envelope's trace context names (root if it names none). */
    public static Context extract(TextMapPropagator propagator, TraceContext tc) {
        Map<String, String> carrier = tc.tracestate() == null ? Map.of("traceparent", tc.traceparent())
                : Map.of("traceparent", tc.traceparent(), "tracestate", tc.tracestate());
        return propagator.extract(Context.root(), carrier, MAP);
    }

    /**
     * The event as published from where the caller is: when it names no trace context of its own and a span is
     * current (a job handler publishing a follow-up event), with that span's; otherwise the event itself. For
     * backends that keep no message headers (the PostgreSQL bus, the outbox), so the next hop continues the trace.
     */
    public static EventEnvelope withCurrentTrace(EventEnvelope event) {
        Span current = Span.current();
        if (event.traceContext() != null || !current.getSpanContext().isValid()) {
            return event;
        }
        return event.toBuilder().traceContext(of(current)).build();
    }

    /**
     * The context a handler of {@code event} runs in on a bus that keeps no headers (the PostgreSQL and in-memory
     * buses): the envelope's trace context as a remote parent, so what the handler publishes or traces continues
     * the event's trace; the caller's current context when the envelope names none. W3C propagation, so it works
     * with the no-op API too.
     */
    public static Context handlerContext(EventEnvelope event) {
        return event.traceContext() == null ? Context.current()
                : extract(W3CTraceContextPropagator.getInstance(), event.traceContext());
    }

    /**
     * What a subscriber's handler runs in, on every bus: its processing span when tracing made one (a child of
     * the event's trace already), else {@link #handlerContext(EventEnvelope) the event's trace context}.
     */
    public static Context handlerContext(EventEnvelope event, Span processing) {
        return processing != null ? Context.current().with(processing) : handlerContext(event);
    }

    /**
     * Whether {@code tracer} makes real spans: an unsampled span from an SDK still has a valid context; only the
     * no-op API yields an invalid one. Decided once per tracer by its owner, so an unconfigured process pays
     * nothing per event. The probe is never ended, so it is never exported.
     */
    public static boolean isLive(Tracer tracer) {
        return tracer.spanBuilder("spine.probe").startSpan().getSpanContext().isValid();
    }

    /** A span's context as the envelope's {@code traceContext} (W3C traceparent / tracestate). */
    public static TraceContext of(Span span) {
        SpanContext sc = span.getSpanContext();
        String traceparent = "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
        StringBuilder state = new StringBuilder();
        sc.getTraceState().asMap().forEach((k, v) -> state.append(state.length() == 0 ? "" : ",").append(k).append('=')
                .append(v));
        return new TraceContext(traceparent, state.length() == 0 ? null : state.toString());
    }
}
