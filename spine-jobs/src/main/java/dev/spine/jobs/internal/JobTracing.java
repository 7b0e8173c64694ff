package dev.spine.jobs.internal;

import dev.spine.jobs.Job;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;

/**
 * A CONSUMER span for every attempt of a job, parented on the trace context stored with the job, and made
 * current while the handler runs, so that what the handler publishes joins the same trace. Decided once:
 * with the no-op API (no SDK configured) nothing is created or parsed.
 */
public final class JobTracing {
    private static final String INSTRUMENTATION = "dev.spine.jobs";
    private static final TextMapGetter<Job> JOB_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Job job) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Job job, String key) {
            if (job == null) {
                return null;
            }
            return switch (key) {
                case "traceparent" -> job.traceparent();
                case "tracestate" -> job.tracestate();
                default -> null;
            };
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean enabled;

    public JobTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer(INSTRUMENTATION);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        // only the no-op API yields an invalid context; the probe is never ended, so never exported
        this.enabled = tracer.spanBuilder("spine.probe").startSpan().getSpanContext().isValid();
    }

    public boolean enabled() {
        return enabled;
    }

    /** Starts the span of one attempt; {@link Span#getInvalid()} when tracing is off. */
    public Span startRun(Job job) {
        if (!enabled) {
            return Span.getInvalid();
        }
        Context parent = job.traceparent() == null ? Context.root() : propagator.extract(Context.root(), job, JOB_GETTER);
        var b = tracer.spanBuilder("process " + job.type()).setSpanKind(SpanKind.CONSUMER).setParent(parent)
                .setAttribute("messaging.system", "spine-jobs")
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", job.queue())
                .setAttribute("messaging.message.id", job.id().toString())
                .setAttribute("spine.job.type", job.type())
                .setAttribute("spine.job.attempt", job.attempt());
        if (job.correlationId() != null) {
            b.setAttribute("messaging.message.conversation_id", job.correlationId());
        }
        return b.startSpan();
    }

    /** Ends the attempt's span, recording the failure if there was one. */
    public static void end(Span span, Throwable failure, String outcome) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        span.setAttribute("spine.job.outcome", outcome);
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
        span.end();
    }
}
