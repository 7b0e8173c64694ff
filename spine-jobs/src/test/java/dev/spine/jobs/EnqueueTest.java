package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class EnqueueTest {

    static JobQueue queue(TestDatabase db) {
        JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).build();
        q.migrate();
        return q;
    }

    record Email(String to, String subject) {}

    @Test
    void enqueuesOneJobWithEveryOption(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            UUID id = q.enqueue(JobRequest.of("SendEmail", new Email("a@b.c", "hi")).queue("interactive")
                    .priority(7).delay(Duration.ofMinutes(5)).maxAttempts(3).timeout(Duration.ofSeconds(9))
                    .correlationId("corr-1").traceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v"));
            JobInfo info = q.find(id).orElseThrow();
            assertEquals("available", info.state());
            assertEquals("interactive", info.queue());
            assertEquals(7, info.priority());
            assertEquals(3, info.maxAttempts());
            assertEquals("corr-1", info.correlationId());
            assertEquals("{\"to\":\"a@b.c\",\"subject\":\"hi\"}", info.payloadJson(), "kept as enqueued");
            assertEquals(1, q.stats().stream().filter(s -> s.queue().equals("interactive")).findFirst().orElseThrow()
                    .scheduled());
        }
    }

    @Test
    void bulkInsertKeepsEveryRunAtToTheMicrosecond(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            // COPY-sized, crossing second boundaries, with micro parts that need zero padding
            Instant base = Instant.parse("2031-02-03T04:05:06.000007Z");
            List<JobRequest> batch = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                batch.add(JobRequest.of("T", Map.of("i", i)).runAt(base.plusNanos(i * 7_654_321_000L)));
            }
            List<UUID> ids = q.enqueueAll(batch);
            for (int i = 0; i < ids.size(); i += 37) {
                Instant expected = base.plusNanos(i * 7_654_321_000L);
                long micros = db.queryLong("select (extract(epoch from run_at) * 1000000)::int8 from " + db.schema()
                        + ".job where id = '" + ids.get(i) + "'");
                assertEquals(expected.getEpochSecond() * 1_000_000 + expected.getNano() / 1000, micros, "job " + i);
            }
        }
    }

    @Test
    void batchesUseOneStatementAndKeepOrder(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            for (int size : new int[] {5, 1000}) { // unnest path and COPY path
                List<JobRequest> batch = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    // escapes, quotes, commas, braces and characters beyond ASCII survive either path
                    batch.add(JobRequest.of("T", Map.of("i", i, "text", "tab\there \\ newline\n \"q\", {naïve ☃ 𝄞}"))
                            .correlationId("c,\"{x}\" é"));
                }
                List<UUID> ids = q.enqueueAll(batch);
                assertEquals(size, new HashSet<>(ids).size());
                JobInfo last = q.find(ids.get(size - 1)).orElseThrow();
                assertTrue(last.payloadJson().contains("\"i\":" + (size - 1)), last.payloadJson());
                assertTrue(last.payloadJson().contains("tab\\there \\\\ newline\\n"), last.payloadJson());
                assertTrue(last.payloadJson().contains("\\\"q\\\", {naïve ☃ 𝄞}"), last.payloadJson());
                assertEquals("c,\"{x}\" é", last.correlationId());
            }
            assertEquals(1005, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }

    @Test
    void tenThousandKeyedJobsEnqueuedTwiceMakeTenThousandJobs(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            List<JobRequest> batch = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                batch.add(JobRequest.of("Index", Map.of("i", i)).idempotencyKey("event-" + i + ":Index"));
            }
            List<UUID> first = new ArrayList<>();
            List<UUID> second = new ArrayList<>();
            for (int from = 0; from < batch.size(); from += 1000) {
                first.addAll(q.enqueueAll(batch.subList(from, from + 1000)));
            }
            for (int from = 0; from < batch.size(); from += 500) {
                second.addAll(q.enqueueAll(batch.subList(from, from + 500)));
            }
            assertEquals(first, second, "a duplicate returns the first job's id");
            assertEquals(10_000, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }

    @Test
    void aKeyStillDeduplicatesAfterItsJobCompleted(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).handler("T", job -> { }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("T", Map.of()).idempotencyKey("k1"));
            assertEquals(1, q.runOnce("background", 10));
            assertEquals("completed", q.find(id).orElseThrow().state());
            assertEquals(id, q.enqueue(JobRequest.of("T", Map.of()).idempotencyKey("k1")));
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }

    @Test
    void duplicateKeysInsideOneBatchMakeOneJob(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            List<UUID> ids = q.enqueueAll(List.of(JobRequest.of("T", Map.of()).idempotencyKey("same"),
                    JobRequest.of("T", Map.of()).idempotencyKey("same")));
            assertEquals(ids.get(0), ids.get(1));
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }

    @Test
    void enqueueInTheCallersTransactionFollowsItsCommitOrRollback(TestDatabase db) throws Exception {
        try (JobQueue q = queue(db); Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            UUID rolledBack = q.enqueue(c, JobRequest.of("T", Map.of("n", 1)));
            c.rollback();
            UUID committed = q.enqueue(c, JobRequest.of("T", Map.of("n", 2)));
            c.commit();
            assertTrue(q.find(rolledBack).isEmpty());
            assertTrue(q.find(committed).isPresent());
        }
    }

    @Test
    void anAutoCommitConnectionIsRefusedByTheInTransactionEnqueueAndNothingIsWritten(TestDatabase db) throws Exception {
        try (JobQueue q = queue(db); Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> q.enqueue(c, JobRequest.of("T", Map.of())));
            assertTrue(e.getMessage().startsWith("connection:"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> q.enqueueAllDetailed(c, List.of(JobRequest.of("T", Map.of()))));
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"), "nothing committed on the side");
        }
    }

    @Test
    void theCommitNowBatchTellsWhichJobsItCreated(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            List<Enqueued> first = q.enqueueAllDetailed(List.of(JobRequest.of("T", Map.of()).idempotencyKey("k"),
                    JobRequest.of("T", Map.of())));
            assertTrue(first.get(0).created() && first.get(1).created());
            // committed when the call returned: another connection sees both
            assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".job"));
            List<Enqueued> again = q.enqueueAllDetailed(List.of(JobRequest.of("T", Map.of()).idempotencyKey("k")));
            assertEquals(first.get(0).id(), again.get(0).id(), "the key names the first job");
            assertTrue(!again.get(0).created(), "and this call created nothing");
        }
    }

    @Test
    void theCallersTransactionSendsOneNotifyPerQueueAtCommitUnlessSwitchedOff(TestDatabase db) throws Exception {
        String channel = db.schema() + "_jobs";
        try (JobQueue on = queue(db);
                JobQueue off = JobQueue.builder(db.dataSource()).schema(db.schema()).notifyInTransaction(false).build();
                Connection listen = db.dataSource().getConnection();
                Connection c = db.dataSource().getConnection()) {
            try (java.sql.Statement s = listen.createStatement()) {
                s.execute("listen " + channel);
            }
            c.setAutoCommit(false);
            for (int i = 0; i < 3; i++) {
                on.enqueue(c, JobRequest.of("T", Map.of("i", i)).queue("realtime"));
            }
            on.enqueue(c, JobRequest.of("T", Map.of()).queue("background"));
            c.commit();
            for (int i = 0; i < 3; i++) {
                off.enqueue(c, JobRequest.of("T", Map.of("i", i)).queue("realtime"));
            }
            c.commit();
            // notifications arrive in commit order: everything before this marker came from the two transactions
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("select pg_notify('" + channel + "', 'marker')");
            }
            c.commit();
            assertEquals(List.of("realtime|tx", "background|tx"), notificationsUntil(listen, "marker"),
                    "one per queue for the first transaction, none for the one that opted out");
        }
    }

    private static List<String> notificationsUntil(Connection listen, String last) throws Exception {
        org.postgresql.PGConnection pg = listen.unwrap(org.postgresql.PGConnection.class);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            org.postgresql.PGNotification[] notes = pg.getNotifications(500); // a blocking receive, not a sleep
            for (org.postgresql.PGNotification n : notes == null ? new org.postgresql.PGNotification[0] : notes) {
                if (n.getParameter().equals(last)) {
                    return seen;
                }
                seen.add(n.getParameter());
            }
        }
        throw new AssertionError("no '" + last + "' notification; saw " + seen);
    }

    @Test
    void badInputNamesTheFieldAndWritesNothing(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).maxPayloadBytes(100).build()) {
            q.migrate();
            expect(JobErrorCode.MISSING_FIELD, "payload", () -> q.enqueue(JobRequest.of("T", null)));
            expect(JobErrorCode.PAYLOAD_TOO_LARGE, "payload", () -> q.enqueue(JobRequest.of("T", Map.of("x", "y".repeat(200)))));
            expect(JobErrorCode.UNKNOWN_QUEUE, "queue", () -> q.enqueue(JobRequest.of("T", Map.of()).queue("nope")));
            expect(JobErrorCode.INVALID_FIELD, "delay", () -> q.enqueue(JobRequest.of("T", Map.of()).delay(Duration.ofSeconds(-1))));
            expect(JobErrorCode.NOT_SERIALIZABLE, "payload", () -> q.enqueue(JobRequest.of("T", new Object())));
            expect(JobErrorCode.NOT_SERIALIZABLE, "payload", () -> q.enqueue(JobRequest.of("T", List.of(1, 2))));
            expect(JobErrorCode.NOT_SERIALIZABLE, "payload", () -> q.enqueue(JobRequest.json("T", "{\"a\":")));
            expect(JobErrorCode.MISSING_FIELD, "type", () -> q.enqueue(JobRequest.of(" ", Map.of())));
            expect(JobErrorCode.INVALID_FIELD, "priority", () -> q.enqueue(JobRequest.of("T", Map.of()).priority(40_000)));
            expect(JobErrorCode.INVALID_FIELD, "maxAttempts", () -> q.enqueue(JobRequest.of("T", Map.of()).maxAttempts(0)));
            expect(JobErrorCode.INVALID_FIELD, "timeout", () -> q.enqueue(JobRequest.of("T", Map.of()).timeout(Duration.ZERO)));
            expect(JobErrorCode.INVALID_FIELD, "jobs[1].priority", () -> q.enqueueAll(List.of(
                    JobRequest.of("T", Map.of()), JobRequest.of("T", Map.of()).priority(-40_000))));
            // a bulk (COPY-sized) batch with a bad job deep in it writes nothing either
            List<JobRequest> bulk = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                bulk.add(i == 300 ? JobRequest.of("T", Map.of()).delay(Duration.ofSeconds(-1)) : JobRequest.of("T", Map.of("i", i)));
            }
            expect(JobErrorCode.INVALID_FIELD, "jobs[300].delay", () -> q.enqueueAll(bulk));
            List<JobRequest> withNull = new ArrayList<>(bulk.subList(0, 299));
            withNull.add(null);
            expect(JobErrorCode.MISSING_FIELD, "jobs[299]", () -> q.enqueueAll(withNull));
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"), "nothing half-written");
            assertEquals(250, q.enqueueAll(bulk.subList(0, 250)).size(), "the good part goes in on its own");
        }
    }

    @Test
    void badOptionsFailBuildWithTheFieldName() {
        javax.sql.DataSource none = new org.postgresql.ds.PGSimpleDataSource();
        expect(JobErrorCode.INVALID_FIELD, "schema", () -> JobQueue.builder(none).schema("bad-name;").build());
        expect(JobErrorCode.INVALID_FIELD, "staleAfter", () -> JobQueue.builder(none)
                .heartbeatInterval(Duration.ofSeconds(10)).staleAfter(Duration.ofSeconds(5)).build());
        expect(JobErrorCode.INVALID_FIELD, "queues[realtime].concurrency", () -> QueueOptions.of("realtime", 0));
        expect(JobErrorCode.INVALID_CRON, "schedules[sync].cron",
                () -> CronSchedule.of("sync", "every tuesday", "UTC", JobRequest.of("Sync", Map.of())));
        expect(JobErrorCode.INVALID_CRON, "schedules[sync].zone",
                () -> CronSchedule.of("sync", "0 * * * *", "Mars/Olympus", JobRequest.of("Sync", Map.of())));
        expect(JobErrorCode.INVALID_FIELD, "backoff.max", () -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    @Test
    void customQueuesCanBeCreatedAndUsed(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            q.createQueue("reports");
            UUID id = q.enqueue(JobRequest.of("Report", Map.of()).queue("reports"));
            assertEquals("reports", q.find(id).orElseThrow().queue());
            assertNotEquals(0, q.stats().stream().filter(s -> s.queue().equals("reports")).count());
        }
    }

    static void expect(JobErrorCode code, String field, Executable call) {
        InvalidJobException e = assertThrows(InvalidJobException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }

    /** A call that may throw. */
    interface Executable {
        void run() throws Exception;
    }
}
