package dev.spine.jobs;

import static dev.spine.jobs.DispatchProbe.dispatched;
import static dev.spine.jobs.DispatchProbe.idle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Claims are type-aware: a process claims (by fetch or by its own insert) only the job types it has handlers
 * for, so processes with different handlers share one schema and its queues. Each "process" here is a
 * {@link JobQueue} with a pool of its own.
 */
@ExtendWith(SpineServices.class)
class TypeAwareClaimsTest {
    private static final Duration NO_POLL = Duration.ofSeconds(60);
    private static final Duration CENSUS = Duration.ofMillis(100);

    @Test
    void twoProcessesWithDisjointHandlersRunEveryJobOnceWhereItsHandlerIs(TestDatabase db) throws Exception {
        int n = 10_000;
        Map<UUID, String> ranIn = new ConcurrentHashMap<>();
        AtomicInteger twice = new AtomicInteger();
        AtomicInteger wrongProcess = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(n);
        JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate();
        try (HikariDataSource poolA = db.newDataSource(8); HikariDataSource poolB = db.newDataSource(8);
                JobQueue a = process(db, poolA, "A", ranIn, twice, wrongProcess, all, "ConnectorJob", "IndexJob");
                JobQueue b = process(db, poolB, "B", ranIn, twice, wrongProcess, all, "EmailJob", "RuleJob")) {
            a.start();
            b.start();
            String[] types = {"ConnectorJob", "EmailJob", "IndexJob", "RuleJob"};
            String[] queues = {"background", "realtime"};
            List<UUID> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i += 100) {
                List<JobRequest> batch = new ArrayList<>(100);
                for (int j = i; j < i + 100; j++) {
                    batch.add(JobRequest.of(types[j % 4], Map.of("i", j)).queue(queues[(j / 4) % 2])
                            .idempotencyKey("job-" + j));
                }
                // both processes enqueue jobs of all four types, in batches and singly, while both run jobs: each
                // one's direct dispatch meets the other's types
                JobQueue producer = (i / 100) % 2 == 0 ? a : b;
                if ((i / 100) % 5 == 0) {
                    batch.forEach(r -> ids.add(producer.enqueue(r)));
                } else {
                    ids.addAll(producer.enqueueAll(batch));
                }
            }
            assertTrue(all.await(3, TimeUnit.MINUTES), (n - all.getCount()) + " of " + n + " jobs ran");
            Eventually.await("every outcome written", () -> db.queryLong("select count(*) from " + db.schema()
                    + ".job") == 0);
            assertEquals(0, twice.get(), "no job ran twice");
            assertEquals(0, wrongProcess.get(), "no job ran in a process without its handler");
            assertEquals(Set.copyOf(ids), ranIn.keySet(), "every job ran");
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".dead_job"), "none dead-lettered");
            assertEquals(n, db.queryLong("select count(*) from " + db.schema() + ".job_archive where state = "
                    + "'completed' and attempt = 1 and errors is null"), "each completed at its first attempt, no error");
            assertTrue(dispatched(a) > 0 || dispatched(b) > 0, "direct dispatch took part");
        }
    }

    /** A process serving {@code types} on two queues, recording where each job ran. */
    private static JobQueue process(TestDatabase db, HikariDataSource pool, String name, Map<UUID, String> ranIn,
            AtomicInteger twice, AtomicInteger wrongProcess, CountDownLatch all, String... types) {
        JobQueueBuilder b = JobQueue.builder(pool).schema(db.schema()).statsInterval(CENSUS)
                .work("background", 4).work("realtime", 2);
        for (String type : types) {
            b.handler(type, job -> {
                if (ranIn.putIfAbsent(job.id(), name) != null) {
                    twice.incrementAndGet();
                }
                if (!Set.of(types).contains(job.type())) {
                    wrongProcess.incrementAndGet();
                }
                all.countDown();
            });
        }
        return b.build();
    }

    @Test
    void aTypeNobodyServesWaitsUnspentAndRunsOnceAProcessWithItsHandlerStarts(TestDatabase db) throws Exception {
        JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate();
        CountDownLatch servedRan = new CountDownLatch(1);
        AtomicInteger laterRuns = new AtomicInteger();
        try (HikariDataSource poolA = db.newDataSource(6); HikariDataSource poolB = db.newDataSource(6);
                JobQueue a = JobQueue.builder(poolA).schema(db.schema()).statsInterval(CENSUS)
                        .handler("Served", job -> servedRan.countDown())
                        .work(QueueOptions.of("background", 2).pollInterval(Duration.ofMillis(100))).build()) {
            a.start();
            List<UUID> later = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                // ahead of the served job in the queue's order, and enqueued by a process with an idle worker
                later.add(a.enqueue(JobRequest.of("Later", Map.of("i", i)).priority(10)));
            }
            a.enqueue(JobRequest.of("Served", Map.of()));
            assertTrue(servedRan.await(10, TimeUnit.SECONDS), "the worker claims past the jobs it cannot run");
            for (UUID id : later) {
                JobInfo info = a.find(id).orElseThrow();
                assertEquals("available", info.state());
                assertEquals(0, info.attempt(), "no attempt used while unserved");
                assertNull(info.errorsJson(), "no error recorded while unserved");
            }
            assertEquals(List.of(new UnservedType("background", "Later", 5)), a.unservedTypes());
            WorkerInfo registered = a.workers().get(0);
            assertEquals(a.workerId(), registered.id());
            assertTrue(registered.live());
            assertEquals(Map.of("background", 2), registered.queues());
            assertEquals(List.of("Served"), registered.types());
            // the gauge is registered by the census: absent (null) until its first run
            Eventually.await("the unserved gauge counts them",
                    () -> Long.valueOf(5).equals(unservedGauge(a, "background", "Later")));

            try (JobQueue b = JobQueue.builder(poolB).schema(db.schema()).statsInterval(CENSUS)
                    .handler("Later", job -> laterRuns.incrementAndGet())
                    .work(QueueOptions.of("background", 2).pollInterval(Duration.ofMillis(100))).build()) {
                b.start();
                Eventually.await("the waiting jobs ran", () -> laterRuns.get() == 5);
                for (UUID id : later) {
                    Eventually.await("completed", () -> "completed".equals(b.find(id).orElseThrow().state()));
                    assertEquals(1, b.find(id).orElseThrow().attempt(), "run once, at the first attempt");
                }
                assertEquals(List.of(), a.unservedTypes());
                assertTrue(a.workers().stream().anyMatch(w -> w.id().equals(b.workerId()) && w.serves("background",
                        "Later")), "the registry shows who serves the type now");
                Eventually.await("the unserved gauge is back to 0",
                        () -> Long.valueOf(0).equals(unservedGauge(a, "background", "Later")));
            }
            assertEquals(5, laterRuns.get(), "each ran once");
        }
    }

    @SuppressWarnings("unchecked")
    private static Long unservedGauge(JobQueue q, String queue, String type) {
        Gauge<Long> g = q.metrics().getGauges().get("spine.jobs.unserved." + queue + "." + type);
        return g == null ? null : g.getValue();
    }

    @Test
    void directDispatchNeverHandsAJobToAProcessWithoutItsHandler(TestDatabase db) throws Exception {
        JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate();
        AtomicInteger theirs = new AtomicInteger();
        try (HikariDataSource poolA = db.newDataSource(6); HikariDataSource poolB = db.newDataSource(6);
                JobQueue a = JobQueue.builder(poolA).schema(db.schema())
                        .handler("Probe", job -> { })
                        .work(QueueOptions.of("realtime", 2).pollInterval(NO_POLL)).build()) {
            a.start();
            idle(a, "realtime");
            long before = dispatched(a);
            UUID single = a.enqueue(JobRequest.of("Theirs", Map.of()).queue("realtime"));
            List<UUID> batch = a.enqueueAll(List.of(
                    JobRequest.of("Theirs", Map.of()).queue("realtime").idempotencyKey("e1:Theirs"),
                    JobRequest.of("Theirs", Map.of()).queue("realtime")));
            assertEquals(before, dispatched(a), "none claimed by its insert: this process has no handler for them");
            for (UUID id : List.of(single, batch.get(0), batch.get(1))) {
                assertEquals("available", a.find(id).orElseThrow().state());
                assertEquals(0, a.find(id).orElseThrow().attempt());
            }
            idle(a, "realtime");
            assertEquals(before + 1, dispatched(a), "its own types are still dispatched directly");
            try (JobQueue b = JobQueue.builder(poolB).schema(db.schema()).handler("Theirs", job -> theirs.incrementAndGet())
                    .work(QueueOptions.of("realtime", 2).pollInterval(Duration.ofMillis(100))).build()) {
                b.start();
                Eventually.await("the process with the handler ran them", () -> theirs.get() == 3);
            }
        }
    }

    @Test
    void aTypeArrivedSinceTheCensusIsNotClaimedByTheQueueOrderedClaim(TestDatabase db) {
        // started with no queue of its own: the census at start found the queue empty, so the claim reads the
        // queue in order and only the type guard keeps the newcomer out
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).statsInterval(Duration.ofHours(1))
                .handler("Mine", job -> { }).build()) {
            q.start();
            UUID theirs = q.enqueue(JobRequest.of("Theirs", Map.of()).priority(5));
            UUID mine = q.enqueue(JobRequest.of("Mine", Map.of()));
            assertEquals(1, q.runOnce("background", 10));
            assertEquals("completed", q.find(mine).orElseThrow().state());
            assertEquals("available", q.find(theirs).orElseThrow().state());
            assertEquals(0, q.find(theirs).orElseThrow().attempt());
        }
    }

    @Test
    void aClaimPerTypeKeepsTheQueueOrderAcrossTypes(TestDatabase db) {
        List<String> order = new ArrayList<>();
        // never started: no census, so the claim goes per type
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("A", job -> order.add("A" + job.priority()))
                .handler("B", job -> order.add("B" + job.priority())).build()) {
            q.migrate();
            q.enqueue(JobRequest.of("A", Map.of()).priority(1));
            q.enqueue(JobRequest.of("B", Map.of()).priority(7));
            q.enqueue(JobRequest.of("Other", Map.of()).priority(9));
            q.enqueue(JobRequest.of("A", Map.of()).priority(3));
            q.enqueue(JobRequest.of("B", Map.of()).priority(-2));
            assertEquals(3, q.runOnce("background", 3), "a batch of three, the first three in order");
            assertEquals(List.of("B7", "A3", "A1"), order);
            assertEquals(1, q.runOnce("background", 3));
            assertEquals(List.of("B7", "A3", "A1", "B-2"), order);
        }
    }
}
