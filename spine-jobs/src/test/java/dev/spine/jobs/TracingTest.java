package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class TracingTest {

    @Test
    void eachAttemptIsASpanUnderTheJobsTraceAndCurrentInTheHandler(TestDatabase db) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        Span parent = otel.getTracer("test").spanBuilder("publish").startSpan();
        String traceparent = "00-" + parent.getSpanContext().getTraceId() + "-" + parent.getSpanContext().getSpanId() + "-01";
        parent.end();
        List<String> currentInHandler = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        SettableClock clock = new SettableClock();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).clock(clock).openTelemetry(otel)
                .handler("Traced", job -> {
                    currentInHandler.add(Span.current().getSpanContext().getSpanId());
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                }).build()) {
            q.migrate();
            q.enqueue(JobRequest.of("Traced", Map.of()).correlationId("c-1").traceContext(traceparent, null)
                    .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1))));
            q.runOnce("background", 1);
            clock.advance(Duration.ofSeconds(2));
            q.runOnce("background", 1);
        }
        List<SpanData> runs = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process Traced")).toList();
        assertEquals(2, runs.size(), "one span per attempt");
        for (SpanData run : runs) {
            assertEquals(SpanKind.CONSUMER, run.getKind());
            assertEquals(parent.getSpanContext().getTraceId(), run.getTraceId());
            assertEquals(parent.getSpanContext().getSpanId(), run.getParentSpanId());
            assertEquals("c-1", run.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                    "messaging.message.conversation_id")));
        }
        assertEquals(StatusCode.ERROR, runs.get(0).getStatus().getStatusCode());
        assertTrue(runs.get(0).getEvents().stream().anyMatch(e -> e.getName().equals("exception")));
        assertEquals(StatusCode.UNSET, runs.get(1).getStatus().getStatusCode());
        assertEquals(List.of(runs.get(0).getSpanId(), runs.get(1).getSpanId()), currentInHandler,
                "the attempt's span is current inside the handler");
    }
}
