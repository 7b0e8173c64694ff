package dev.spine.server;

import dev.spine.service.ServiceFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class LatencyObjectiveTest {

    @Test
    void readinessAndMetricsReportEachTiersObjective(TestDatabase db, TestNats nats) {
        AtomicInteger ran = new AtomicInteger();
        try (SpineServer service = SpineServer.builder(ServerFixture.config(db, nats, Map.of())).discoverHandlers(false)
                .handler("RunRuleEngineJob", job -> ran.incrementAndGet()).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.engine().config())) {
            for (int i = 0; i < 20; i++) {
                publisher.publish(ServiceFixture.event("communication.MessageReceived", i));
            }
            Eventually.await("realtime jobs ran", () -> ran.get() == 20);
            AdminClient.Reply ready = new AdminClient(service).get("/health/ready");
            assertEquals(200, ready.status());
            double p99 = ready.json().at("/objectives/realtime/p99Seconds").asDouble();
            assertTrue(p99 > 0, ready.body());
            // the status follows the p99 exactly; a run that is met or breached on its own merit is the next test's
            assertEquals(p99 < 0.1 ? "met" : "breached", ready.json().at("/objectives/realtime/status").asText());
            assertEquals(0.1, ready.json().at("/objectives/realtime/targetSeconds").asDouble());
            assertEquals(5.0, ready.json().at("/objectives/interactive/targetSeconds").asDouble());
            assertEquals("met", ready.json().at("/objectives/interactive/status").asText(), "no interactive job waited");
            String metrics = new AdminClient(service).get("/metrics").body();
            assertTrue(metrics.contains("spine_jobs_slo_met{queue=\"realtime\"} " + (p99 < 0.1 ? "1.0" : "0.0")), metrics);
            assertTrue(metrics.contains("spine_jobs_slo_p99_seconds{queue=\"realtime\"}"), metrics);
            assertTrue(metrics.contains("spine_events_delivered_total 20"), metrics);
            assertTrue(metrics.contains("spine_event_delivery_latency_seconds"), metrics);
            assertTrue(metrics.contains("spine_events_rejected_total 0"), metrics);
        }
    }

    /**
     * The objective runs from the event's publish to its handler's start, not from the job's due time: events
     * that reach the engine 300 ms after their publish (their timestamps 300 ms back, as when the bus or the
     * ingest held them) breach the 100 ms target although each job starts within milliseconds of its enqueue;
     * readiness, the gauge and the p99 all say so. Then jobs held 300 ms in the paused queue breach it too.
     */
    @Test
    void aDelayBetweenPublishAndStartBreachesTheRealtimeObjective(TestDatabase db, TestNats nats) throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (SpineServer service = SpineServer.builder(ServerFixture.config(db, nats, Map.of())).discoverHandlers(false)
                .handler("RunRuleEngineJob", job -> ran.incrementAndGet()).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.engine().config())) {
            for (int i = 0; i < 20; i++) {
                publisher.publish(EventEnvelope.builder().eventType("communication.MessageReceived").source("test")
                        .timestamp(Instant.now().minusMillis(300)).data(JsonNodeFactory.instance.objectNode().put("n", i))
                        .build());
            }
            Eventually.await("realtime jobs ran", () -> ran.get() == 20);
            assertBreached(service, 0.3);

            var jobs = service.engine().jobs();
            jobs.pause("realtime");
            long published = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                publisher.publish(ServiceFixture.event("communication.MessageReceived", i));
            }
            Eventually.await("the 200 realtime jobs were enqueued", () -> jobs.stats().stream()
                    .anyMatch(q -> q.queue().equals("realtime") && q.available() == 200));
            long held = 300_000_000L - (System.nanoTime() - published);
            if (held > 0) {
                Thread.sleep(held / 1_000_000 + 1); // the injected delay: the jobs wait 300 ms after publish
            }
            jobs.resume("realtime");
            Eventually.await("the held realtime jobs ran", () -> ran.get() == 220);
            assertBreached(service, 0.3);
        }
    }

    private static void assertBreached(SpineServer service, double atLeastSeconds) {
        AdminClient.Reply ready = new AdminClient(service).get("/health/ready");
        assertEquals(200, ready.status(), "a breached objective is informative: still ready");
        double p99 = ready.json().at("/objectives/realtime/p99Seconds").asDouble();
        assertTrue(p99 >= atLeastSeconds, "p99 from publish, at least the delay: " + ready.body());
        assertEquals("breached", ready.json().at("/objectives/realtime/status").asText(), ready.body());
        assertEquals("met", ready.json().at("/objectives/interactive/status").asText(), "no interactive job waited");
        String metrics = new AdminClient(service).get("/metrics").body();
        assertTrue(metrics.contains("spine_jobs_slo_met{queue=\"realtime\"} 0.0"), metrics);
    }
}
