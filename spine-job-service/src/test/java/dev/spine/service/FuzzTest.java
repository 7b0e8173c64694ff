package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStream;
import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Mutated envelopes (truncated, wrong types, huge strings, deep nesting, invalid UTF-8, wrong type forms,
 * missing fields, SQL-looking text) through NATS into the job service: no crash, no hang, and every one
 * either materialised, counted as unrouted, or recorded as rejected with a reason. The suite sends 100,000
 * (about 35 s here); SPINE_FUZZ_COUNT sets another count. At 20,000 it found an event timestamp that made
 * every delivery of its batch fail after the commit.
 */
// alone: beside ChaosTest's child JVMs on two cores its 100k events took over ten minutes (alone ~1 min)
@Isolated
@ExtendWith(SpineServices.class)
class FuzzTest {
    static final int COUNT = Integer.parseInt(System.getenv().getOrDefault("SPINE_FUZZ_COUNT", "100000"));
    static final String SQL = "'); drop table job; -- \" \\\\ ; select pg_sleep(10);";

    @Test
    void everyMutatedEnvelopeIsMaterialisedOrRejectedAndNothingHangs(TestDatabase db, TestNats nats) throws Exception {
        Random random = new Random(42);
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of("SPINE_WORKERS_BACKGROUND", "1"));
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            sent.add(mutate(random, i));
        }
        EventCodec codec = EventCodec.defaults();
        // as the ingest decodes (adapting legacy shapes is on by default): a mutation that turns a value loose
        // (a timestamp without milliseconds, an id that is no UUID) is adapted, not rejected
        EnvelopeAdapter adapter = EnvelopeAdapter.defaults();
        RoutingTable routes = RoutingTable.defaults();
        Set<String> expectedKeys = new HashSet<>();
        int decodable = 0;
        int routed = 0;
        for (byte[] b : sent) {
            try {
                EventEnvelope e = adapter.decode(codec, b).event();
                decodable++;
                for (Route r : routes.match(e.eventType())) {
                    expectedKeys.add(e.eventId() + ":" + r.jobType());
                }
                routed += routes.match(e.eventType()).isEmpty() ? 0 : 1;
            } catch (InvalidEventException expected) {
                // counted below as rejected
            }
        }
        try (JobService service = JobService.builder(config).discoverHandlers(false)
                .handler("IndexDocumentJob", job -> { }).build().start()) {
            service.jobs().pause("background"); // keep the jobs in the hot table for the assertions
            service.jobs().pause("realtime");
            service.jobs().pause("interactive");
            JetStream js = nats.connect().jetStream();
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                String type = i % 7 == 0 ? "system.Unrouted" : "data.EntityCreated";
                acks.add(js.publishAsync(NatsMessage.builder().subject(config.nats().subjectPrefix() + type).data(sent.get(i)).build()));
                if (acks.size() == 1000 || i == sent.size() - 1) {
                    // a window of unacknowledged publishes: 100k at once outran the server's acks on a busy
                    // two-core machine, whose futures then timed out
                    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
                    acks.clear();
                }
            }
            var m = service.metrics();
            // a bound on "nothing hangs", not a speed test: beside the suite's other heavy tests on two slow
            // cores the 100k took over three minutes
            long counted = Eventually.awaitValue("every message went through a committed batch (events counted so far)",
                    Duration.ofMinutes(10), () -> m.counter("spine.ingest.events").getCount(), n -> n >= COUNT);
            assertEquals(COUNT, counted, "each event counted once (more: a batch was redelivered and counted again)");
            long rejected = m.counter("spine.ingest.rejected").getCount();
            long unrouted = m.counter("spine.ingest.unrouted").getCount();
            long refusedJobs = db.queryLong("select count(*) from " + db.schema() + ".rejected_event where code = 'INVALID_JOB'");
            System.out.printf("fuzz: sent %d, decodable %d, routed %d, unrouted %d, rejected %d (%d refused as jobs), "
                    + "jobs %d, failures %d%n", COUNT, decodable, routed, unrouted, rejected, refusedJobs,
                    db.queryLong("select count(*) from " + db.schema() + ".job"), m.counter("spine.ingest.failures").getCount());
            assertEquals(0, m.counter("spine.ingest.failures").getCount(), "no batch failed");
            assertEquals(COUNT - decodable + refusedJobs, rejected, "every undecodable event is recorded as rejected");
            assertEquals(COUNT, rejected + unrouted + (routed - refusedJobs), "each event accounted for exactly once");
            assertEquals(rejected, service.rejectedEventCount());
            assertTrue(db.queryLong("select count(*) from " + db.schema() + ".rejected_event where reason = ''") == 0);
            long keys = db.queryLong("select count(*) from " + db.schema() + ".job_key");
            assertTrue(keys <= expectedKeys.size() && keys >= expectedKeys.size() - refusedJobs,
                    "one job per routed event: " + keys + " of " + expectedKeys.size());
            assertEquals(keys, db.queryLong("select count(*) from " + db.schema() + ".job"));
            assertTrue(db.queryLong("select count(*) from " + db.schema() + ".job where payload::text like '%drop table job%'") > 0,
                    "SQL-looking text is stored verbatim");
            assertTrue(service.ingestHealthy());
        }
    }

    private static byte[] mutate(Random r, int i) {
        String data = i % 11 == 0 ? "{\"note\": \"" + SQL.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}"
                : "{\"n\": " + i + "}";
        String valid = "{\"eventId\":\"" + uuid(r) + "\",\"eventType\":\"data.EntityCreated\",\"eventVersion\":\"1.0\","
                + "\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"fuzz " + SQL.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\",\"correlationId\":\"" + uuid(r) + "\",\"data\":" + data + "}";
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        switch (r.nextInt(12)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncated
            }
            case 1 -> {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256); // a random byte, often invalid UTF-8
                return b;
            }
            case 2 -> {
                return valid.replace("\"eventVersion\":\"1.0\"", "\"eventVersion\":1.0").getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> {
                return valid.replace("data.EntityCreated", r.nextBoolean() ? "Data.entitycreated" : "data").getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                return valid.replaceFirst("\"source\":\"[^\"]*\",", "").getBytes(StandardCharsets.UTF_8); // missing field
            }
            case 5 -> {
                return valid.replace("\"data\":" + data, "\"data\":" + "[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
            }
            case 6 -> {
                return valid.replace("\"data\":" + data, "\"data\":{\"big\":\"" + "x".repeat(200_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8); // large but allowed
            }
            case 7 -> {
                return valid.replace("\"data\":" + data, "\"data\":\"not an object\"").getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> {
                return new byte[] {(byte) 0xC3, (byte) 0x28, '{', '}'}; // invalid UTF-8 and no envelope
            }
            case 9 -> {
                return valid.replace("\"data\":" + data, "\"data\":{\"nul\":\"a\\u0000b\"}").getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                return b; // valid: becomes a job (or is unrouted, by subject)
            }
        }
    }

    private static String uuid(Random r) {
        return new java.util.UUID(r.nextLong(), r.nextLong()).toString().replaceFirst("(.{14}).", "$14")
                .replaceFirst("(.{19}).", "$1a");
    }
}
