package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.jobs.JobInfo;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Legacy event shapes published with plain NATS (as the platform's older publishers do): the job service adapts
 * each to its canonical event, routes it to its job, and a retry of the same body creates nothing new; with
 * adapting off the same body is a rejected event naming the field.
 */
@ExtendWith(SpineServices.class)
class LegacyIngestTest {
    private static final String LEGACY = "{\"id\":\"crm-991\",\"eventType\":\"data.EntityCreated\","
            + "\"data\":{\"entityId\":\"e-1\"},\"source\":\"crm\",\"timestamp\":\"2026-12-04T10:00:00Z\","
            + "\"metadata\":{\"correlationId\":\"chain-991\"}}";

    /** The adapted correlation id: derived from {@code chain-991}, the same in every process. */
    private static final String CORRELATION = EnvelopeAdapter.defaults()
            .decode(EventCodec.defaults(), LEGACY.getBytes(StandardCharsets.UTF_8)).event().correlationId().toString();

    @Test
    void aLegacyEventOverPlainNatsBecomesItsJobOnceEvenWhenSentTwice(TestDatabase db, TestNats nats) throws Exception {
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of())).discoverHandlers(false)
                .build().start(); Connection raw = nats.connect()) {
            service.jobs().pause("background");
            String subject = service.config().nats().subjectPrefix() + "data.EntityCreated";
            raw.jetStream().publish(subject, LEGACY.getBytes(StandardCharsets.UTF_8));
            raw.jetStream().publish(subject, LEGACY.getBytes(StandardCharsets.UTF_8));

            Eventually.await("both deliveries ingested",
                    () -> service.metrics().counter("spine.events.adapted.http-client").getCount() == 2);
            List<JobInfo> jobs = Eventually.awaitValue("the adapted event's job", Duration.ofSeconds(30),
                    () -> service.jobs().findByCorrelationId(CORRELATION, 10),
                    l -> !l.isEmpty());
            assertEquals(1, jobs.size(), "the retry has the same derived eventId: one job");
            assertEquals("IndexDocumentJob", jobs.get(0).type());
            JsonNode payload = new ObjectMapper().readTree(jobs.get(0).payloadJson());
            assertEquals("http-client", payload.path("adaptedFrom").path("shape").asText());
            assertEquals(0, rejected(service));
        }
    }

    @Test
    void withAdaptingOffTheSameBodyIsRejectedNamingTheField(TestDatabase db, TestNats nats) throws Exception {
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats,
                Map.of("SPINE_INGEST_ADAPT_LEGACY", "false"))).discoverHandlers(false).build().start();
             Connection raw = nats.connect()) {
            raw.jetStream().publish(service.config().nats().subjectPrefix() + "data.EntityCreated",
                    LEGACY.getBytes(StandardCharsets.UTF_8));

            Eventually.await("the legacy body rejected", () -> rejected(service) == 1);
            assertEquals("timestamp", service.rejectedEvents(Long.MAX_VALUE, 1).get(0).field(),
                    "the first field the codec refuses: no milliseconds");
        }
    }

    private static long rejected(JobService service) {
        try {
            return service.rejectedEventCount();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyLegacyShapeOverPlainNatsRoutesToItsJobOnce(TestDatabase db, TestNats nats) throws Exception {
        Map<String, String> bodies = Map.of(
                "connector.SyncStarted", "{\"type\":\"sync.started\",\"tenantId\":\"t-1\",\"payload\":{\"c\":1}}",
                "data.EntityCreated", LEGACY,
                "data.EntityUpdated", "{\"eventType\":\"data:entity.updated\",\"eventId\":\"row-42\","
                        + "\"source\":\"inventory\",\"timestamp\":\"2026-12-04T10:00:00.5+01:00\","
                        + "\"correlationId\":\"9b2f6f0e-6a8e-4c7f-9a41-1f0e2b3c4d5e\",\"data\":{\"e\":2}}");
        RoutingTable routes = RoutingTable.parse("""
                routes:
                  - match: connector.SyncStarted
                    job: SyncJob
                    queue: background
                  - match: data.*
                    job: IndexDocumentJob
                    queue: background
                """, "legacy");
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of())).routes(routes)
                .discoverHandlers(false).build().start(); Connection raw = nats.connect()) {
            service.jobs().pause("background");
            String prefix = service.config().nats().subjectPrefix();
            for (int i = 0; i < 2; i++) { // each legacy body sent twice, as a retrying publisher does
                for (Map.Entry<String, String> b : bodies.entrySet()) {
                    raw.jetStream().publish(prefix + b.getKey(), b.getValue().getBytes(StandardCharsets.UTF_8));
                }
            }

            Eventually.await("all six deliveries adapted", () -> adapted(service) == 6);
            Eventually.await("three jobs", () -> service.jobs().stats().stream()
                    .mapToLong(q -> q.available()).sum() == 3);
            java.util.Set<String> types = new java.util.TreeSet<>();
            for (String body : bodies.values()) {
                String correlation = EnvelopeAdapter.defaults().decode(EventCodec.defaults(),
                        body.getBytes(StandardCharsets.UTF_8)).event().correlationId().toString();
                List<JobInfo> jobs = service.jobs().findByCorrelationId(correlation, 10);
                assertEquals(1, jobs.size(), "one job for " + body);
                types.add(jobs.get(0).type());
            }
            assertEquals(java.util.Set.of("IndexDocumentJob", "SyncJob"), types);
            assertEquals(0, rejected(service));
        }
    }

    private static long adapted(JobService service) {
        return service.metrics().getCounters((name, m) -> name.startsWith("spine.events.adapted.")).values().stream()
                .mapToLong(c -> c.getCount()).sum();
    }
}
