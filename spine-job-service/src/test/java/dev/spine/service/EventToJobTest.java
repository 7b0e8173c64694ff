package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.jobs.JobInfo;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class EventToJobTest {
    static final Map<String, String> DEFAULT_ROUTES = Map.of(
            "connector.DataReceived", "ProcessIncomingDataJob",
            "data.EntityCreated", "IndexDocumentJob",
            "data.EntityUpdated", "IndexDocumentJob",
            "communication.MessageReceived", "RunRuleEngineJob",
            "connector.LocationUpdated", "RunRuleEngineJob",
            "ai.QueryReceived", "ExecuteLLMQueryJob",
            "rule.SendMessageRequested", "SendOutgoingMessageJob",
            "rule.PlaceCallRequested", "PlaceCallJob",
            "rule.SendFaxRequested", "SendFaxJob",
            "data.EtlOutputProduced", "WriteEntityJob");

    @Test
    void everyDefaultRouteTurnsItsEventIntoARunningJob(TestDatabase db, TestNats nats) {
        Map<String, String> ran = new ConcurrentHashMap<>(); // eventType -> jobType that ran it
        ObjectMapper json = new ObjectMapper();
        JobServiceBuilder b = JobService.builder(ServiceFixture.config(db, nats, Map.of())).discoverHandlers(false);
        for (String jobType : Set.copyOf(DEFAULT_ROUTES.values())) {
            b.handler(jobType, job -> {
                JsonNode event = json.readTree(job.payloadJson());
                ran.put(event.get("eventType").asText(), job.type());
            });
        }
        try (JobService service = b.build().start(); Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            for (String type : DEFAULT_ROUTES.keySet()) {
                publisher.publish(ServiceFixture.event(type, 1));
            }
            publisher.publish(ServiceFixture.event("system.NothingRoutesThis", 1));
            Eventually.await("every routed event ran its job", () -> ran.size() == DEFAULT_ROUTES.size());
            assertEquals(DEFAULT_ROUTES, ran);
            Eventually.await("the unrouted event was counted",
                    () -> service.metrics().counter("spine.ingest.unrouted").getCount() == 1);
        }
    }

    @Test
    void aJobKeepsItsEventsCorrelationIdAndTierAndFansOut(TestDatabase db, TestNats nats) throws Exception {
        String routes = """
                routes:
                  - match: data.EntityCreated
                    job: IndexDocumentJob
                    queue: background
                  - match: data.*
                    job: AuditJob
                    queue: interactive
                    priority: 3
                """;
        RoutingTable table = RoutingTable.parse(routes, "t");
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of())).routes(table)
                .discoverHandlers(false).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            service.jobs().pause("background");
            service.jobs().pause("interactive");
            EventEnvelope e = ServiceFixture.event("data.EntityCreated", 7);
            publisher.publish(e);
            List<JobInfo> jobs = Eventually.awaitValue("two jobs for one event", Duration.ofSeconds(30),
                    () -> service.jobs().findByCorrelationId(e.correlationId().toString(), 10), l -> l.size() == 2);
            assertEquals(Set.of("IndexDocumentJob@background", "AuditJob@interactive"),
                    Set.of(jobs.get(0).type() + "@" + jobs.get(0).queue(), jobs.get(1).type() + "@" + jobs.get(1).queue()));
            assertTrue(jobs.stream().anyMatch(j -> j.priority() == 3));
            assertEquals(e.eventId().toString(), new ObjectMapper().readTree(jobs.get(0).payloadJson()).get("eventId").asText());
        }
    }

    @Test
    void aCrashBetweenCommitAndAckCreatesNoDuplicate(TestDatabase db, TestNats nats) {
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        AtomicBoolean crashOnce = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger crashedBatch = new java.util.concurrent.atomic.AtomicInteger();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of()))
                .discoverHandlers(false)
                .handler("IndexDocumentJob", job -> runs.merge(job.idempotencyKey(), 1, Integer::sum))
                .build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            service.commitHook(batch -> {
                if (crashOnce.getAndSet(false)) {
                    crashedBatch.set(batch.size());
                    throw new IllegalStateException("simulated crash after commit, before ack");
                }
            });
            for (int i = 0; i < 50; i++) {
                publisher.publish(ServiceFixture.event("data.EntityCreated", i));
            }
            Eventually.await("all 50 events ran their job", () -> runs.size() == 50);
            assertTrue(!crashOnce.get(), "the crash happened");
            assertEquals(1, service.metrics().counter("spine.ingest.failures").getCount(), "one batch crashed");
            // committed batches are counted, so the crashed batch counts twice once its redelivery went through
            Eventually.await("the crashed batch was redelivered and acked", () ->
                    service.metrics().counter("spine.ingest.events").getCount() == 50 + crashedBatch.get());
            assertEquals(50, service.metrics().counter("spine.ingest.jobs_materialized").getCount(), "redelivery created none");
            assertEquals(50, db.queryLong("select count(*) from " + db.schema() + ".job_key"), "one job per event");
            assertTrue(runs.values().stream().allMatch(n -> n == 1), "no job ran twice: " + runs);
        }
    }

    @Test
    void malformedEventsAreRecordedWithTheirBytesAndTerminated(TestDatabase db, TestNats nats) throws Exception {
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of()))
                .discoverHandlers(false).handler("IndexDocumentJob", job -> { }).build().start()) {
            String subject = service.config().nats().subjectPrefix() + "data.EntityCreated";
            var js = nats.connect().jetStream();
            js.publish(NatsMessage.builder().subject(subject).data("{not json".getBytes(StandardCharsets.UTF_8)).build());
            js.publish(NatsMessage.builder().subject(subject)
                    .data("{\"eventId\":\"nope\"}".getBytes(StandardCharsets.UTF_8)).build());
            String raw = "{\"eventId\":\"6f1c0a52-4d7e-4b8a-9a43-0c8b3f3f4a11\",\"eventType\":\"data.EntityCreated\","
                    + "\"eventVersion\":\"1.0\",\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"node\","
                    + "\"correlationId\":\"0b7cbd44-5a0e-4a4e-8f5d-a6c8e3fa1d22\",\"data\":{\"id\":1}}";
            js.publish(NatsMessage.builder().subject(subject).data(raw.getBytes(StandardCharsets.UTF_8)).build());
            Eventually.await("two rejected", () -> count(service) == 2);
            var rejected = service.rejectedEvents(Long.MAX_VALUE, 10);
            assertTrue(rejected.stream().anyMatch(r -> r.code().equals("MALFORMED_JSON")
                    && new String(r.raw(), StandardCharsets.UTF_8).equals("{not json")), rejected.toString());
            assertTrue(rejected.stream().allMatch(r -> r.subject().equals(subject)));
            Eventually.await("the valid plain-client event became a job", () ->
                    service.jobs().findByCorrelationId("0b7cbd44-5a0e-4a4e-8f5d-a6c8e3fa1d22", 5).size() == 1);
        }
    }

    private static long count(JobService s) {
        try {
            return s.rejectedEventCount();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
