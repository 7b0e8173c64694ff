package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The worker registry over the admin API and /metrics: who serves which job types, and what nobody serves. */
@ExtendWith(SpineServices.class)
class WorkersApiTest {

    @Test
    void theRegistryShowsThisProcessAndTheTypeNobodyServes(TestDatabase db, TestNats nats) {
        try (SpineServer server = SpineServer.builder(ServerFixture.config(db, nats, Map.of())).discoverHandlers(false)
                .handler("Noop", job -> { }).build().start()) {
            AdminClient api = new AdminClient(server);
            for (int i = 0; i < 3; i++) {
                server.engine().jobs().enqueue(JobRequest.of("Orphan", Map.of("n", i)).queue("background"));
            }

            JsonNode registry = api.get("/v1/workers").json();
            JsonNode me = registry.path("items").get(0);
            assertEquals(1, registry.path("items").size(), registry.toString());
            assertEquals(server.engine().jobs().workerId().toString(), me.path("id").asText());
            assertTrue(me.path("live").asBoolean());
            assertEquals("[\"Noop\"]", me.path("types").toString());
            assertTrue(me.path("queues").has("background") && me.path("queues").path("realtime").asInt() > 0,
                    me.toString());
            assertEquals("[{\"queue\":\"background\",\"type\":\"Orphan\",\"waiting\":3}]",
                    registry.path("unserved").toString());
            assertEquals(registry.path("unserved"), api.get("/v1/workers/unserved").json().path("items"));

            String metrics = Eventually.awaitValue("the unserved gauge on /metrics", Duration.ofSeconds(30),
                    () -> api.get("/metrics").body(),
                    m -> m.contains("\nspine_jobs_unserved{queue=\"background\",type=\"Orphan\"} 3.0\n"));
            assertEquals(1, metrics.split("# TYPE spine_jobs_unserved gauge", -1).length - 1, metrics);
        }
    }
}
