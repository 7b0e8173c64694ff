package dev.spine.server;

import dev.spine.service.ServiceFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.events.Spine;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin API over real HTTP, against a job service on real PostgreSQL and NATS. */
@ExtendWith(SpineServices.class)
class AdminApiTest {

    private static SpineServer start(TestDatabase db, TestNats nats, Map<String, String> env,
            Map<String, dev.spine.jobs.JobHandler> handlers) {
        SpineServer.Builder b = SpineServer.builder(ServerFixture.config(db, nats, env)).discoverHandlers(false);
        handlers.forEach(b::handler);
        return b.build().start();
    }

    @Test
    void healthIsOkAndMetricsArePrometheusTextWithQueueLabels(TestDatabase db, TestNats nats) {
        try (SpineServer service = start(db, nats, Map.of("SPINE_PG_URL", db.url() + "&password=pg-secret-123"),
                Map.of("Noop", job -> { }))) {
            AdminClient api = new AdminClient(service);
            assertEquals(200, api.get("/health/live").status());
            AdminClient.Reply ready = api.get("/health/ready");
            assertEquals(200, ready.status(), ready.body());
            assertEquals("ok", ready.json().path("status").asText());
            // the first scrape after ready has the queue gauges: read at start, not after the first refresh
            String first = api.get("/metrics", null).body();
            for (String queue : new String[] {"realtime", "interactive", "background"}) {
                assertTrue(first.contains("spine_jobs_queue_depth{queue=\"" + queue + "\"}"), first);
                assertTrue(first.contains("spine_jobs_dead{queue=\"" + queue + "\"}"), first);
            }
            for (String check : new String[] {"broker", "database", "ingest"}) {
                assertEquals("ok", ready.json().path("checks").path(check).path("status").asText(), ready.body());
            }
            assertEquals("ok", api.get("/health/broker").json().path("checks").path("broker").path("status").asText());
            assertEquals(200, api.get("/health/database").status());

            service.engine().jobs().enqueue(JobRequest.of("Noop", Map.of("n", 1)).queue("background"));
            String metrics = Eventually.awaitValue("queue gauges on /metrics", Duration.ofSeconds(30),
                    () -> api.get("/metrics").body(), m -> m.contains("spine_jobs_queue_depth{queue=\"background\"}")
                            && m.contains("spine_jobs_queue_depth{queue=\"realtime\"}"));
            assertTrue(metrics.contains("# TYPE spine_jobs_enqueued_total counter"), metrics);
            assertTrue(metrics.matches("(?s).*\\nspine_jobs_enqueued_total [1-9].*"), metrics);
            assertTrue(metrics.contains("# TYPE spine_jobs_dead gauge"), metrics);
            assertEquals(1, metrics.split("# TYPE spine_jobs_queue_depth gauge", -1).length - 1, "one family");
            assertFalse(metrics.contains("spine_jobs_queue_depth_background"), "the queue is a label, not a name");
            // the ingest consumer's lag, read from the broker by the service itself (no NATS exporter needed)
            String consumer = service.engine().config().ingest().consumer();
            String lag = Eventually.awaitValue("consumer lag on /metrics", Duration.ofSeconds(30),
                    () -> api.get("/metrics").body(), m -> m.contains("spine_events_consumer_pending{consumer=\"" + consumer + "\""));
            assertTrue(lag.matches("(?s).*\\nspine_events_consumer_pending\\{consumer=\"" + consumer
                    + "\",stream=\"[^\"]*platform-events\"} 0\\.0\\n.*"), lag);
            assertTrue(lag.contains("# TYPE spine_events_consumer_unacknowledged gauge"), lag);
            assertFalse(lag.contains("spine_events_consumer_" + consumer), "the consumer is a label, not a name");
            assertFalse(metrics.contains("test-token"), "no admin token in /metrics");
            assertFalse(metrics.contains("pg-secret-123"), "no database password in /metrics");
        }
    }

    @Test
    void aDeadJobIsListedRetriedAndGoneAndAnotherDeleted(TestDatabase db, TestNats nats) {
        Map<UUID, Integer> runs = new ConcurrentHashMap<>();
        SpineServer service = start(db, nats, Map.of(), Map.of("FailsFirst", job -> {
            if (runs.merge(job.id(), 1, Integer::sum) == 1) {
                throw new IllegalStateException("first run fails");
            }
        }));
        try (service) {
            AdminClient api = new AdminClient(service);
            UUID retried = service.engine().jobs().enqueue(JobRequest.of("FailsFirst", Map.of("n", 1)).queue("realtime").maxAttempts(1));
            UUID deleted = service.engine().jobs().enqueue(JobRequest.of("FailsFirst", Map.of("n", 2)).queue("realtime").maxAttempts(1));
            JsonNode dead = Eventually.awaitValue("two dead jobs listed", Duration.ofSeconds(30),
                    () -> api.get("/v1/dead-letters?queue=realtime&limit=10").json().path("items"), items -> items.size() == 2);
            assertEquals(Set.of(retried.toString(), deleted.toString()), ids(dead));
            JsonNode first = dead.get(0);
            assertEquals("FailsFirst", first.path("type").asText());
            assertTrue(first.path("errors").toString().contains("first run fails"), first.toString());
            assertEquals(0, api.get("/v1/dead-letters?type=SomethingElse").json().path("items").size(), "type filter");
            // keyset paging, newest first: one per page, each once, then a page without next
            JsonNode page1 = api.get("/v1/dead-letters?limit=1").json();
            JsonNode page2 = api.get("/v1/dead-letters?limit=1&cursor=" + page1.path("next").asText()).json();
            assertEquals(dead.get(0).path("id"), page1.path("items").get(0).path("id"));
            assertEquals(dead.get(1).path("id"), page2.path("items").get(0).path("id"));
            JsonNode page3 = api.get("/v1/dead-letters?limit=1&cursor=" + page2.path("next").asText()).json();
            assertEquals(0, page3.path("items").size());
            assertTrue(page3.path("next").isNull(), page3.toString());
            assertEquals(400, api.get("/v1/dead-letters?cursor=garbage").status(), "a cursor we did not give out");
            Eventually.await("queue stats count the dead", () -> StreamSupport.stream(
                    api.get("/v1/queues").json().path("items").spliterator(), false)
                    .anyMatch(q -> q.path("queue").asText().equals("realtime") && q.path("dead").asLong() == 2));
            Eventually.await("spine_jobs_dead on /metrics counts the dead of the queue", Duration.ofSeconds(30),
                    () -> api.get("/metrics").body().contains("\nspine_jobs_dead{queue=\"realtime\"} 2.0\n"));
            assertTrue(api.get("/metrics").body().contains("\nspine_jobs_dead_lettered_total 2.0\n"), "jobs that went dead");

            AdminClient.Reply retry = api.post("/v1/dead-letters/" + retried + "/retry", "", AdminClient.TOKEN);
            assertEquals(200, retry.status(), retry.body());
            Eventually.await("the retried job ran again", () -> runs.getOrDefault(retried, 0) == 2);
            assertEquals(Set.of(deleted.toString()), ids(api.get("/v1/dead-letters").json().path("items")));
            Eventually.await("the retried job completed", () ->
                    api.get("/v1/jobs/" + retried).json().path("state").asText().equals("completed"));

            assertEquals(200, api.delete("/v1/dead-letters/" + deleted, AdminClient.TOKEN).status());
            assertEquals(0, api.get("/v1/dead-letters").json().path("items").size());
            AdminClient.Reply again = api.delete("/v1/dead-letters/" + deleted, AdminClient.TOKEN);
            assertEquals(404, again.status());
            assertEquals("NOT_FOUND", again.errorCode());
            assertEquals(404, api.post("/v1/dead-letters/" + deleted + "/retry", "", AdminClient.TOKEN).status());
        }
    }

    @Test
    void jobsAreFoundByIdAndCorrelationAndCanBeCancelledBeforeTheyStart(TestDatabase db, TestNats nats) {
        try (SpineServer service = start(db, nats, Map.of(), Map.of("Noop", job -> { }))) {
            AdminClient api = new AdminClient(service);
            assertEquals(200, api.post("/v1/queues/background/pause", "", AdminClient.TOKEN).status());
            JsonNode paused = api.get("/v1/queues").json().path("items");
            assertTrue(StreamSupport.stream(paused.spliterator(), false).anyMatch(q ->
                    q.path("queue").asText().equals("background") && q.path("paused").asBoolean()), paused.toString());
            UUID id = service.engine().jobs().enqueue(JobRequest.of("Noop", Map.of("n", 1)).queue("background")
                    .correlationId("corr-42"));
            AdminClient.Reply job = api.get("/v1/jobs/" + id);
            assertEquals(200, job.status());
            assertEquals("available", job.json().path("state").asText());
            assertEquals(1, job.json().path("payload").path("n").asInt());
            JsonNode byCorrelation = api.get("/v1/jobs?correlationId=corr-42&limit=5").json().path("items");
            assertEquals(Set.of(id.toString()), ids(byCorrelation));

            assertEquals(200, api.post("/v1/jobs/" + id + "/cancel", "", AdminClient.TOKEN).status());
            assertEquals("cancelled", api.get("/v1/jobs/" + id).json().path("state").asText());
            AdminClient.Reply twice = api.post("/v1/jobs/" + id + "/cancel", "", AdminClient.TOKEN);
            assertEquals(409, twice.status(), twice.body());
            assertEquals("NOT_CANCELLABLE", twice.errorCode());
            assertEquals(200, api.post("/v1/queues/background/resume", "", AdminClient.TOKEN).status());
            assertEquals(404, api.post("/v1/queues/nosuchqueue/pause", "", AdminClient.TOKEN).status());
            assertTrue(api.get("/v1/breakers").json().path("breakers").has("Noop"));
        }
    }

    @Test
    void mutatingCallsNeedTheTokenAndAreRefusedWhenNoneIsSet(TestDatabase db, TestNats nats) {
        try (SpineServer service = start(db, nats, Map.of(), Map.of())) {
            AdminClient api = new AdminClient(service);
            for (String token : new String[] {null, "wrong-token", "test-toke", "test-token-and-more"}) {
                AdminClient.Reply r = api.post("/v1/queues/background/pause", "", token);
                assertEquals(401, r.status(), "token " + token);
                assertEquals("UNAUTHORIZED", r.errorCode());
                assertFalse(r.body().contains("test-token"), r.body());
            }
            assertEquals(401, api.delete("/v1/dead-letters/" + UUID.randomUUID(), null).status());
            assertEquals(401, api.post("/v1/replay", "{\"fromSequence\":1}", "nope").status());
            assertFalse(api.get("/v1/queues").json().path("items").get(0).path("paused").asBoolean(),
                    "nothing was paused by the refused calls");
        }
        try (SpineServer open = start(db, nats, Map.of("SPINE_ADMIN_TOKEN", ""), Map.of())) {
            AdminClient.Reply r = new AdminClient(open).post("/v1/queues/background/pause", "", "anything");
            assertEquals(401, r.status());
            assertTrue(r.json().path("message").asText().contains("SPINE_ADMIN_TOKEN"), r.body());
        }
    }

    @Test
    void errorsShareOneFormatAndNameTheField(TestDatabase db, TestNats nats) {
        try (SpineServer service = start(db, nats, Map.of(), Map.of())) {
            AdminClient api = new AdminClient(service);
            AdminClient.Reply unknown = api.get("/v1/nothing-here");
            assertEquals(404, unknown.status(), unknown.body());
            assertEquals("error", unknown.json().path("status").asText());
            assertEquals("NOT_FOUND", unknown.errorCode());
            assertTrue(unknown.json().has("message") && unknown.json().has("details"), unknown.body());

            assertError(api.get("/v1/jobs/not-a-uuid"), 400, "INVALID_FIELD", "id");
            assertError(api.get("/v1/jobs/" + UUID.randomUUID()), 404, "NOT_FOUND", "");
            assertError(api.get("/v1/jobs"), 400, "MISSING_FIELD", "correlationId");
            assertError(api.get("/v1/jobs?correlationId=x&limit=abc"), 400, "INVALID_FIELD", "limit");
            assertError(api.get("/v1/dead-letters?limit=0"), 400, "INVALID_FIELD", "limit");
            assertError(api.get("/v1/rejected-events?cursor=-3"), 400, "INVALID_FIELD", "cursor");
            assertError(api.post("/v1/dead-letters/123/retry", "", AdminClient.TOKEN), 400, "INVALID_FIELD", "id");
            assertError(api.post("/v1/replay", "{not json", AdminClient.TOKEN), 400, "INVALID_JSON", "body");
            assertError(api.post("/v1/replay", "{}", AdminClient.TOKEN), 400, "MISSING_FIELD", "from");
            assertError(api.post("/v1/replay", "{\"from\":\"yesterday\"}", AdminClient.TOKEN), 400, "INVALID_FIELD", "from");
            assertError(api.post("/v1/replay", "{\"from\":\"2026-01-01T00:00:00Z\",\"fromSequence\":1}",
                    AdminClient.TOKEN), 400, "INVALID_FIELD", "fromSequence");
            assertError(api.post("/v1/replay", "{\"fromSequence\":\"one\"}", AdminClient.TOKEN), 400, "INVALID_FIELD",
                    "fromSequence");
            assertError(api.post("/v1/replay", "{\"fromSequence\":1,\"limit\":0}", AdminClient.TOKEN), 400,
                    "INVALID_FIELD", "limit");
            assertError(api.post("/v1/replay", "{\"fromSequence\":1,\"eventTypes\":[\"nope\"]}", AdminClient.TOKEN),
                    400, "INVALID_FIELD", "eventTypes");
        }
    }

    @Test
    void replayingTwiceCreatesNothingTheSecondTimeAndMalformedEventsAreListed(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer service = start(db, nats, Map.of(), Map.of("IndexDocumentJob", job -> { }));
             Spine publisher = ServiceFixture.publisher(nats, service.engine().config())) {
            AdminClient api = new AdminClient(service);
            Instant before = Instant.now().minusSeconds(1);
            for (int i = 0; i < 3; i++) {
                publisher.publish(ServiceFixture.event("data.EntityCreated", i));
            }
            byte[] malformed = "{not json \u00e9".getBytes(StandardCharsets.UTF_8);
            publisher.publishUnchecked("data.EntityCreated", malformed);
            JsonNode rejected = Eventually.awaitValue("the malformed event is listed", Duration.ofSeconds(30),
                    () -> api.get("/v1/rejected-events?limit=10").json(), j -> j.path("items").size() == 1);
            JsonNode item = rejected.path("items").get(0);
            assertEquals("MALFORMED_JSON", item.path("code").asText());
            assertEquals("{not json \u00e9", item.path("preview").asText());
            assertEquals(Base64.getEncoder().encodeToString(malformed), item.path("rawBase64").asText());
            assertEquals(1, rejected.path("total").asLong());
            long id = item.path("id").asLong();
            JsonNode onePerPage = api.get("/v1/rejected-events?limit=1").json();
            assertEquals(id, onePerPage.path("items").get(0).path("id").asLong());
            assertEquals(0, api.get("/v1/rejected-events?cursor=" + onePerPage.path("next").asText()).json().path("items")
                    .size(), "paging: the page after the last is empty");
            assertTrue(rejected.path("next").isNull(), "one page: no next");

            String keys = "select count(*) from " + db.schema() + ".job_key";
            Eventually.await("three jobs materialised", () -> db.queryLong(keys) == 3);
            db.execute("delete from " + db.schema() + ".job_key"); // as if the jobs had been lost

            AdminClient.Reply first = api.post("/v1/replay", "{\"fromSequence\":1}", AdminClient.TOKEN);
            assertEquals(200, first.status(), first.body());
            assertEquals(3, first.json().path("events").asLong(), first.body());
            assertEquals(1, first.json().path("malformed").asLong(), first.body());
            assertEquals(3, first.json().path("created").asLong(), first.body());
            AdminClient.Reply second = api.post("/v1/replay", "{\"from\":\"" + before + "\",\"limit\":100,"
                    + "\"eventTypes\":[\"data.EntityCreated\"]}", AdminClient.TOKEN);
            assertEquals(200, second.status(), second.body());
            assertEquals(3, second.json().path("jobs").asLong(), second.body());
            assertEquals(0, second.json().path("created").asLong(), "a second replay creates nothing");
            assertEquals(3, db.queryLong(keys));
        }
    }

    private static void assertError(AdminClient.Reply r, int status, String code, String field) {
        assertEquals(status, r.status(), r.body());
        assertEquals("error", r.json().path("status").asText(), r.body());
        assertEquals(code, r.errorCode(), r.body());
        assertEquals(field, r.field(), r.body());
        assertFalse(r.body().contains("\tat "), "no stack trace");
    }

    private static Set<String> ids(JsonNode items) {
        return StreamSupport.stream(items.spliterator(), false).map(n -> n.path("id").asText())
                .collect(java.util.stream.Collectors.toSet());
    }
}
