package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.events.postgres.PostgresEventBus;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chain stays one trace on the PostgreSQL event bus too (SPINE_EVENT_BUS=postgres), which keeps no message
 * headers: a job handler's follow-up event carries the run's trace context in its envelope, so the job service's
 * processing of it is a child of the run, and the next job's run a child of that. The processing spans name the
 * bus that carried the event ({@code messaging.system=postgresql}), not NATS.
 */
@ExtendWith(SpineServices.class)
class PostgresBusTraceTest {
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");

    @Test
    void aHandlersFollowUpEventContinuesTheTraceOnThePostgresBus(TestDatabase db, TestNats nats) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = ServiceFixture.tracing(exporter);
        String routes = """
                routes:
                  - match: data.EntityCreated
                    job: IndexDocumentJob
                    queue: realtime
                  - match: system.IndexUpdated
                    job: NotifyIndexedJob
                    queue: realtime
                """;
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of());
        try (EventBus bus = PostgresEventBus.builder(db.newDataSource(4)).schema(db.schema())
                     .pollInterval(Duration.ofMillis(20)).build();
             JobService service = JobService.builder(config).discoverHandlers(false).openTelemetry(otel).eventBus(bus)
                     .routes(RoutingTable.parse(routes, "t"))
                     .handler("IndexDocumentJob", job -> bus.publish(EventEnvelope.builder()
                             .eventType("system.IndexUpdated").source("indexer")
                             .data(JsonNodeFactory.instance.objectNode().put("ok", true)).build()))
                     .handler("NotifyIndexedJob", job -> { })
                     .build().start()) {
            bus.publish(EventEnvelope.builder().eventType("data.EntityCreated").source("test")
                    .data(JsonNodeFactory.instance.objectNode().put("id", 1)).build());
            Eventually.await("the follow-up's job ran", () -> exporter.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals("process NotifyIndexedJob")));
        }
        List<SpanData> spans = exporter.getFinishedSpanItems();
        SpanData process = one(spans, "process data.EntityCreated");
        SpanData enqueue = one(spans, "send realtime", process);
        SpanData run = one(spans, "process IndexDocumentJob");
        SpanData nextProcess = one(spans, "process system.IndexUpdated");
        SpanData nextEnqueue = one(spans, "send realtime", nextProcess);
        SpanData nextRun = one(spans, "process NotifyIndexedJob");

        assertTrue(spans.stream().allMatch(s -> s.getTraceId().equals(process.getTraceId())), "one trace: "
                + spans.stream().map(s -> s.getName() + " " + s.getTraceId()).toList());
        assertEquals(enqueue.getSpanId(), run.getParentSpanId());
        assertEquals(run.getSpanId(), nextProcess.getParentSpanId(),
                "the follow-up's processing is a child of the run");
        assertEquals(nextEnqueue.getSpanId(), nextRun.getParentSpanId());
        assertEquals("postgresql", process.getAttributes().get(SYSTEM));
        assertEquals("postgresql", nextProcess.getAttributes().get(SYSTEM));
    }

    private static SpanData one(List<SpanData> spans, String name) {
        return ServiceFixture.oneSpan(spans, name);
    }

    /** The one span named {@code name} whose parent is {@code parent}. */
    private static SpanData one(List<SpanData> spans, String name, SpanData parent) {
        return one(spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList(), name);
    }
}
