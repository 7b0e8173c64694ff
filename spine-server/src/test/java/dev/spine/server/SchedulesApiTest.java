package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /v1/schedules} over real HTTP: a schedule run by another process on the schema, listed, fired, paused. */
@ExtendWith(SpineServices.class)
class SchedulesApiTest {

    @Test
    void aScheduleIsListedTriggeredOncePerKeyPausedAndResumed(TestDatabase db, TestNats nats) {
        AtomicInteger ran = new AtomicInteger();
        CronSchedule nightly = CronSchedule.of("nightly-sync", "0 2 * * *", "UTC",
                JobRequest.of("SyncConnectorDataJob", Map.of("scope", "all")).queue("background"));
        try (JobQueue connector = JobQueue.builder(db.newDataSource(4)).schema(db.schema()).schedule(nightly)
                .handler("SyncConnectorDataJob", job -> ran.incrementAndGet()).work("background", 2).build();
                SpineServer server = SpineServer.builder(ServerFixture.config(db, nats, Map.of()))
                        .discoverHandlers(false).build().start()) {
            connector.start();
            AdminClient api = new AdminClient(server);

            AdminClient.Reply list = api.get("/v1/schedules");
            assertEquals(200, list.status(), list.body());
            JsonNode item = list.json().path("items").get(0);
            assertEquals("nightly-sync", item.path("name").asText());
            assertEquals("0 2 * * *", item.path("cron").asText());
            assertEquals("SyncConnectorDataJob", item.path("jobType").asText());
            assertFalse(item.path("nextFire").isNull(), list.body());
            assertTrue(item.path("lastFire").isNull(), list.body());

            assertEquals(401, trigger(api, "nightly-sync", "k-1", null).status(), "triggering needs the admin token");
            AdminClient.Reply first = trigger(api, "nightly-sync", "k-1", AdminClient.TOKEN);
            assertEquals(201, first.status(), first.body());
            assertTrue(first.json().path("created").asBoolean());
            AdminClient.Reply again = trigger(api, "nightly-sync", "k-1", AdminClient.TOKEN);
            assertEquals(200, again.status(), again.body());
            assertEquals(first.json().path("jobId").asText(), again.json().path("jobId").asText(), "once per key");
            AdminClient.Reply unkeyed = trigger(api, "nightly-sync", null, AdminClient.TOKEN);
            assertEquals(201, unkeyed.status(), unkeyed.body());
            assertNotEquals(first.json().path("jobId").asText(), unkeyed.json().path("jobId").asText());
            Eventually.await("both triggered jobs ran in the connector process", () -> ran.get() == 2);
            JsonNode fired = Eventually.awaitValue("the last fire's job completed", Duration.ofSeconds(30),
                    () -> api.get("/v1/schedules/nightly-sync").json(),
                    s -> "completed".equals(s.path("lastJobState").asText()));
            assertEquals(unkeyed.json().path("jobId").asText(), fired.path("lastJobId").asText());

            AdminClient.Reply unknown = trigger(api, "no-such", null, AdminClient.TOKEN);
            assertEquals(404, unknown.status(), unknown.body());
            assertEquals("NOT_FOUND", unknown.errorCode());
            assertEquals(404, api.get("/v1/schedules/no-such").status());

            assertEquals(200, api.post("/v1/schedules/nightly-sync/pause", "", AdminClient.TOKEN).status());
            assertTrue(api.get("/v1/schedules/nightly-sync").json().path("paused").asBoolean());
            assertEquals(200, api.post("/v1/schedules/nightly-sync/resume", "", AdminClient.TOKEN).status());
            assertFalse(api.get("/v1/schedules/nightly-sync").json().path("paused").asBoolean());
            assertEquals(404, api.post("/v1/schedules/no-such/pause", "", AdminClient.TOKEN).status());
        }
    }

    private static AdminClient.Reply trigger(AdminClient api, String name, String key, String token) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(api.base + "/v1/schedules/" + name + "/trigger"))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return api.send(r);
    }
}
