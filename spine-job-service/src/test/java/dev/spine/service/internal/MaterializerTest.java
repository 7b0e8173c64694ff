package dev.spine.service.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Delivery;
import dev.spine.jobs.JobQueue;
import dev.spine.service.JobService;
import dev.spine.service.RejectedEvent;
import dev.spine.service.RoutingTable;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The materializer on plain {@link Delivery} values: no broker, only the PostgreSQL it writes to. Bad bytes
 * are recorded and terminated, one event fans out to a job per route, a job the queue refuses rejects its
 * event alone, and a redelivered batch creates nothing new.
 */
@ExtendWith(SpineServices.class)
class MaterializerTest {
    private static final String ROUTES = """
            routes:
              - match: data.*
                job: AuditJob
                queue: background
              - match: data.EntityCreated
                job: IndexDocumentJob
                queue: background
            """;
    private static final EventCodec CODEC = EventCodec.defaults();

    /** A delivery as a bus would hand it over, recording how the materializer settles it. */
    static final class PlainDelivery implements Delivery {
        final byte[] data;
        final long sequence;
        String settled;

        PlainDelivery(byte[] data, long sequence) {
            this.data = data;
            this.sequence = sequence;
        }

        static PlainDelivery of(EventEnvelope e, long sequence) {
            return new PlainDelivery(CODEC.encode(e), sequence);
        }

        @Override public byte[] data() { return data; }
        @Override public EventEnvelope envelope() { return CODEC.decode(data); }
        @Override public String subject() { return "data.EntityCreated"; }
        @Override public String stream() { return "platform-events"; }
        @Override public long sequence() { return sequence; }
        @Override public long deliveredCount() { return 1; }
        @Override public String header(String name) { return name.equals("Spine-Test") ? "yes" : null; }
        @Override public Map<String, String> headers() { return Map.of("Spine-Test", "yes"); }
        @Override public void ack() { settle("ack"); }
        @Override public void term(String reason) { settle("term"); }
        @Override public void nakWithDelay(Duration delay) { settle("nak"); }
        @Override public void inProgress() { }
        @Override public boolean isSettled() { return settled != null; }

        private void settle(String how) {
            if (settled == null) {
                settled = how;
            }
        }
    }

    private static EventEnvelope event(String type, String text) {
        return EventEnvelope.builder().eventType(type).source("test")
                .data(JsonNodeFactory.instance.objectNode().put("text", text)).build();
    }

    private static Materializer materializer(TestDatabase db, JobQueue jobs) throws Exception {
        return materializer(db, jobs, EnvelopeAdapter.defaults(), new MetricRegistry());
    }

    private static Materializer materializer(TestDatabase db, JobQueue jobs, EnvelopeAdapter adapter,
            MetricRegistry metrics) throws Exception {
        RoutingTable routes = RoutingTable.parse(ROUTES, "t");
        return new Materializer(db.dataSource(), jobs, CODEC, routes, new RejectedEvents(db.dataSource(), db.schema()),
                new IngestMetrics(metrics), Clock.systemUTC(), new IngestTracing(OpenTelemetry.noop(), "test", "nats"),
                adapter);
    }

    private static JobQueue queue(TestDatabase db) {
        JobQueue jobs = JobQueue.builder(db.dataSource()).schema(db.schema()).build();
        jobs.migrate();
        JobService.schemaMigrator(db.dataSource(), db.schema()).migrate();
        return jobs;
    }

    @Test
    void oneEventFansOutToAJobPerRouteAndARedeliveryCreatesNothing(TestDatabase db) throws Exception {
        try (JobQueue jobs = queue(db)) {
            Materializer m = materializer(db, jobs);
            EventEnvelope created = event("data.EntityCreated", "a");
            PlainDelivery d = PlainDelivery.of(created, 1);
            Materializer.Result first = m.process(List.of(d));
            assertEquals(2, first.created(), "AuditJob and IndexDocumentJob");
            assertEquals(List.of("AuditJob", "IndexDocumentJob"), first.requests().stream().map(r -> r.type()).toList(),
                    "one job per matching route, in the order of the routes");
            assertEquals("ack", d.settled);
            assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".job_key where key like '"
                    + created.eventId() + ":%'"));
            PlainDelivery again = PlainDelivery.of(created, 1);
            assertEquals(0, m.process(List.of(again)).created(), "the keys make a redelivery a no-op");
            assertEquals("ack", again.settled);
        }
    }

    @Test
    void badBytesAreRecordedWithTheirOriginAndTerminatedWhileTheRestOfTheBatchGoesOn(TestDatabase db)
            throws Exception {
        try (JobQueue jobs = queue(db)) {
            Materializer m = materializer(db, jobs);
            byte[] garbage = "{\"eventType\": \"data.EntityCreated\", \"data\": \"trunc".getBytes(StandardCharsets.UTF_8);
            PlainDelivery bad = new PlainDelivery(garbage, 7);
            PlainDelivery good = PlainDelivery.of(event("data.EntityUpdated", "b"), 8);
            assertOneRejected(m, bad, good, 1, "the good event's AuditJob");
            List<RejectedEvent> rejected = new RejectedEvents(db.dataSource(), db.schema()).list(Long.MAX_VALUE, 10);
            assertEquals(1, rejected.size());
            assertArrayEquals(garbage, rejected.get(0).raw(), "the raw bytes are kept");
            assertEquals(7, rejected.get(0).streamSequence());
            assertEquals("platform-events", rejected.get(0).stream());
            assertEquals("yes", rejected.get(0).headers().get("Spine-Test"));
        }
    }

    @Test
    void aJobTheQueueRefusesRejectsItsEventAloneAndTheOthersAreInserted(TestDatabase db) throws Exception {
        try (JobQueue jobs = queue(db)) {
            Materializer m = materializer(db, jobs);
            // PostgreSQL's jsonb cannot hold \u0000: the queue refuses the payload before writing anything
            PlainDelivery refused = PlainDelivery.of(event("data.EntityCreated", "nul \u0000 inside"), 1);
            PlainDelivery fine = PlainDelivery.of(event("data.EntityCreated", "ok"), 2);
            assertOneRejected(m, refused, fine, 2, "both jobs of the other event");
            RejectedEvent rejection = new RejectedEvents(db.dataSource(), db.schema()).list(Long.MAX_VALUE, 10).get(0);
            assertEquals("INVALID_JOB", rejection.code());
            assertTrue(rejection.reason().contains("payload") || rejection.field() != null, rejection.toString());
        }
    }

    /** One batch of a rejected and an accepted delivery: the first is terminated, the second's jobs made and acked. */
    private static void assertOneRejected(Materializer m, PlainDelivery rejected, PlainDelivery accepted, int jobs,
            String what) throws Exception {
        Materializer.Result r = m.process(List.of(rejected, accepted));
        assertEquals(1, r.rejected());
        assertEquals(jobs, r.created(), what);
        assertEquals("term", rejected.settled);
        assertEquals("ack", accepted.settled);
    }

    @Test
    void aLegacyEventIsAdaptedRoutedOnceAndCountedByShape(TestDatabase db) throws Exception {
        try (JobQueue jobs = queue(db)) {
            MetricRegistry metrics = new MetricRegistry();
            Materializer m = materializer(db, jobs, EnvelopeAdapter.defaults(), metrics);
            byte[] legacy = """
                    {"id":"order-77","eventType":"data.EntityCreated","data":{"text":"old"},"source":"crm",
                     "timestamp":"2026-12-04T09:59:58Z","metadata":{"correlationId":"chain-1"}}"""
                    .getBytes(StandardCharsets.UTF_8);
            PlainDelivery first = new PlainDelivery(legacy, 1);

            Materializer.Result r = m.process(List.of(first));
            PlainDelivery retry = new PlainDelivery(legacy, 2);
            Materializer.Result again = m.process(List.of(retry));

            assertEquals(2, r.created(), "AuditJob and IndexDocumentJob of the adapted event");
            assertEquals(0, again.created(), "the retry has the same derived eventId: nothing new");
            assertEquals("ack", first.settled);
            assertEquals("ack", retry.settled);
            JsonNode payload = new ObjectMapper().readTree(jobs.find(r.jobs().get(0).id()).orElseThrow().payloadJson());
            assertEquals("http-client", payload.path("adaptedFrom").path("shape").asText(), payload.toString());
            assertEquals("order-77", payload.path("adaptedFrom").path("original").path("id").asText());
            assertEquals(2, metrics.counter(IngestMetrics.ADAPTED_PREFIX + "http-client").getCount());
        }
    }

    @Test
    void withAdaptingOffALegacyEventIsRejectedNamingTheField(TestDatabase db) throws Exception {
        try (JobQueue jobs = queue(db)) {
            Materializer m = materializer(db, jobs, null, new MetricRegistry());
            PlainDelivery legacy = new PlainDelivery(
                    "{\"type\":\"sync.started\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8), 3);

            assertEquals(1, m.process(List.of(legacy)).rejected());

            assertEquals("term", legacy.settled);
            RejectedEvent rejection = new RejectedEvents(db.dataSource(), db.schema()).list(Long.MAX_VALUE, 10).get(0);
            assertEquals("MISSING_FIELD", rejection.code());
            assertEquals("eventId", rejection.field());
        }
    }
}
