package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One trace across the NATS and PostgreSQL hops: publish -> process -> enqueue -> run (with a retry) -> publish. */
@ExtendWith(SpineServices.class)
class TraceTest {

    @Test
    void oneTraceShowsTheWholeChainIncludingARetry(TestDatabase db, TestNats nats) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = ServiceFixture.tracing(exporter);
        String routes = """
                routes:
                  - match: data.EntityCreated
                    job: IndexDocumentJob
                    queue: realtime
                    backoff: {initial: 50ms, max: 100ms}
                """;
        AtomicInteger attempts = new AtomicInteger();
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of());
        try (Spine publisher = Spine.builder(nats.connect()).openTelemetry(otel).topology(StreamTopology.builder()
                     .streamNamePrefix(config.nats().streamPrefix()).subjectPrefix(config.nats().subjectPrefix()).build()).build();
             JobService service = JobService.builder(config).discoverHandlers(false).openTelemetry(otel)
                     .routes(RoutingTable.parse(routes, "t"))
                     .handler("IndexDocumentJob", job -> {
                         if (attempts.incrementAndGet() == 1) {
                             throw new IllegalStateException("index not ready");
                         }
                         publisher.publish(EventEnvelope.builder().eventType("system.IndexUpdated").source("indexer")
                                 .data(JsonNodeFactory.instance.objectNode().put("ok", true)).build());
                     }).build().start()) {
            publisher.publish(EventEnvelope.builder().eventType("data.EntityCreated").source("test")
                    .data(JsonNodeFactory.instance.objectNode().put("id", 1)).build());
            Eventually.await("the follow-up event was processed", () -> exporter.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals("process system.IndexUpdated")));
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();
        SpanData publish = one(spans, "send " + config.nats().subjectPrefix() + "data.EntityCreated");
        SpanData process = one(spans, "process data.EntityCreated");
        SpanData enqueue = one(spans, "send realtime");
        List<SpanData> runs = spans.stream().filter(s -> s.getName().equals("process IndexDocumentJob")).toList();
        SpanData next = one(spans, "send " + config.nats().subjectPrefix() + "system.IndexUpdated");
        SpanData nextProcess = one(spans, "process system.IndexUpdated");

        assertEquals(SpanKind.PRODUCER, publish.getKind());
        assertEquals(SpanKind.CONSUMER, process.getKind());
        assertEquals(SpanKind.PRODUCER, enqueue.getKind());
        assertEquals(2, runs.size(), "the failed attempt and the retry");
        assertTrue(spans.stream().allMatch(s -> s.getTraceId().equals(publish.getTraceId())), "one trace");
        assertEquals(publish.getSpanId(), process.getParentSpanId());
        assertEquals(process.getSpanId(), enqueue.getParentSpanId());
        for (SpanData run : runs) {
            assertEquals(SpanKind.CONSUMER, run.getKind());
            assertEquals(enqueue.getSpanId(), run.getParentSpanId());
        }
        assertEquals(StatusCode.ERROR, runs.get(0).getStatus().getStatusCode(), "the failure is on the span");
        assertEquals(runs.get(1).getSpanId(), next.getParentSpanId(), "the handler's publish is a child of its run");
        assertEquals(next.getSpanId(), nextProcess.getParentSpanId());
        assertEquals(process.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                "messaging.message.conversation_id")), runs.get(1).getAttributes().get(
                io.opentelemetry.api.common.AttributeKey.stringKey("messaging.message.conversation_id")),
                "the correlationId rides along");
    }

    private static SpanData one(List<SpanData> spans, String name) {
        return ServiceFixture.oneSpan(spans, name);
    }
}
