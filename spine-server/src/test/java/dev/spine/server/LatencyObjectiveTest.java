package dev.spine.server;

import dev.spine.service.ServiceFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
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
}
