package dev.spine.service.internal;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import dev.spine.events.TraceContexts;
import dev.spine.events.Delivery;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;

/**
 * One CONSUMER span per event the job service materialises, child of the event's publish (from the NATS
 * headers, else the envelope's trace context: the PostgreSQL bus keeps no headers), naming the bus that
 * carried it ({@code messaging.system}). The jobs of the event carry this span's context, so each job's run
 * is a child of its own event's processing even though a whole batch shares one transaction. With the no-op
 * API it does nothing.
 */
public final class IngestTracing {
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final String consumer;
    private final String system;
    private final boolean enabled;

    /** @param system what carries the events ({@link dev.spine.events.EventBus#messagingSystem()}) */
    public IngestTracing(OpenTelemetry otel, String consumer, String system) {
        this.tracer = otel.getTracer("dev.spine.service");
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.consumer = consumer;
        this.system = system;
        this.enabled = TraceContexts.isLive(tracer);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts the span of one event (only call when {@link #enabled()}). */
    public Span start(Delivery d, EventEnvelope e) {
        Context parent = TraceContexts.parentOf(propagator, d, e);
        return tracer.spanBuilder("process " + e.eventType()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute("messaging.system", system)
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", d == null ? e.eventType() : d.subject())
                .setAttribute("messaging.consumer.group.name", consumer)
                .setAttribute("messaging.message.id", e.eventId().toString())
                .setAttribute("messaging.message.conversation_id", e.correlationId().toString())
                .startSpan();
    }

    /** A PRODUCER span for one job put on {@code queue} while processing the event of {@code process}. */
    public Span startEnqueue(Span process, String queue, String jobType) {
        return tracer.spanBuilder("send " + queue).setSpanKind(SpanKind.PRODUCER)
                .setParent(Context.root().with(process))
                .setAttribute("messaging.system", "spine-jobs")
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.destination.name", queue)
                .setAttribute("spine.job.type", jobType)
                .startSpan();
    }

    /** The span's context as W3C traceparent / tracestate, to store with the job. */
    public static TraceContext contextOf(Span span) {
        return TraceContexts.of(span);
    }

    /** Ends the spans of a batch: as failed when its transaction failed. */
    public static void end(Iterable<Span> spans, Throwable failure) {
        for (Span s : spans) {
            if (failure != null) {
                s.recordException(failure);
                s.setStatus(StatusCode.ERROR, "batch not committed");
            }
            s.end();
        }
    }
}
