package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.MigrationScripts;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class HousekeepingTest {

    @Test
    void archiveAndKeysArePrunedAfterTheirRetention(TestDatabase db) {
        SettableClock clock = new SettableClock();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).clock(clock)
                .archiveRetention(Duration.ofDays(1)).keyRetention(Duration.ofDays(2))
                .pruneInterval(Duration.ofMillis(50)).handler("T", job -> { }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("T", Map.of()).idempotencyKey("once"));
            q.runOnce("background", 10);
            q.start();
            assertEquals("completed", q.find(id).orElseThrow().state());

            clock.advance(Duration.ofHours(25));
            Eventually.await("archive pruned", () -> q.find(id).isEmpty());
            assertEquals(id, q.enqueue(JobRequest.of("T", Map.of()).idempotencyKey("once")), "key still retained");

            clock.advance(Duration.ofDays(1));
            Eventually.await("key pruned", () -> db.queryLong("select count(*) from " + db.schema() + ".job_key") == 0);
            UUID again = q.enqueue(JobRequest.of("T", Map.of()).idempotencyKey("once"));
            assertTrue(!again.equals(id), "an expired key no longer deduplicates");
        }
    }

    @Test
    void completedJobsCanSkipTheArchive(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).archiveCompleted(false)
                .handler("T", job -> { }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("T", Map.of()));
            q.runOnce("background", 10);
            assertTrue(q.find(id).isEmpty());
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }

    @Test
    void manyProcessesStartingAtOnceMigrateOnce(TestDatabase db) {
        List<JobQueue> queues = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queues.add(JobQueue.builder(db.newDataSource(2)).schema(db.schema()).build());
        }
        CompletableFuture.allOf(queues.stream().map(q -> CompletableFuture.runAsync(q::migrate))
                .toArray(CompletableFuture[]::new)).join();
        // one history row per script, each applied once however many processes raced
        int scripts = new MigrationScripts("/dev/spine/jobs/migrations").countAbove(0);
        assertEquals(scripts, db.queryLong("select count(*) from " + db.schema() + ".spine_jobs_history where type = 'SQL'"));
        assertEquals(scripts, db.queryLong("select count(distinct version) from " + db.schema()
                + ".spine_jobs_history where type = 'SQL'"));
        assertEquals(3, db.queryLong("select count(*) from " + db.schema() + ".queue"));
        queues.forEach(JobQueue::close);
    }

    /**
     * A worker process vacuums the hot table once the jobs it finished left more dead rows than autovacuum's
     * threshold for it (1000 + 1%): this machine's PostgreSQL runs with autovacuum off, so only the queue's own
     * vacuum counts here (pg_stat_user_tables.vacuum_count counts manual vacuums only). Off, it never does.
     */
    @Test
    void aWorkingProcessVacuumsTheHotTableWhenDeadRowsPileUp(TestDatabase db) {
        try (JobQueue off = JobQueue.builder(db.dataSource()).schema(db.schema()).vacuumHotTable(false)
                .statsInterval(Duration.ofMillis(50)).work(QueueOptions.of("background", 4))
                .handler("T", job -> { }).build()) {
            off.migrate();
            enqueueMany(off, 1500);
            off.start();
            Eventually.await("drained", () -> db.queryLong("select count(*) from " + db.schema() + ".job") == 0);
        }
        assertEquals(0, manualVacuums(db), "vacuumHotTable(false) leaves the table to autovacuum");
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).statsInterval(Duration.ofMillis(50))
                .work(QueueOptions.of("background", 4)).handler("T", job -> { }).build()) {
            q.migrate();
            enqueueMany(q, 1500);
            q.start();
            // the dead rows reach pg_stat_user_tables up to a few seconds after the commits
            Eventually.await("vacuumed by the queue", Duration.ofSeconds(30),
                    () -> q.metrics().getCounters().get("spine.jobs.vacuums").getCount() >= 1);
            assertTrue(manualVacuums(db) >= 1, "PostgreSQL counted the vacuum");
        }
    }

    /**
     * While another session holds the lock a vacuum needs (as autovacuum would), the queue's vacuum is skipped, not
     * given up: once the lock is gone it vacuums.
     */
    @Test
    void aVacuumSkippedForAnotherVacuumIsTriedAgain(TestDatabase db) throws Exception {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).statsInterval(Duration.ofMillis(50))
                .work(QueueOptions.of("background", 4)).handler("T", job -> { }).build();
                java.sql.Connection holder = db.dataSource().getConnection()) {
            q.migrate();
            holder.setAutoCommit(false);
            try (java.sql.Statement st = holder.createStatement()) {
                st.execute("lock table " + db.schema() + ".job in share update exclusive mode");
            }
            enqueueMany(q, 1500);
            q.start();
            Eventually.await("a vacuum skipped while the table is held", Duration.ofSeconds(30),
                    () -> q.metrics().getCounters().get("spine.jobs.vacuum_skips").getCount() >= 1);
            assertEquals(0, manualVacuums(db));
            holder.rollback();
            Eventually.await("vacuumed once the lock is gone", Duration.ofSeconds(30), () -> manualVacuums(db) >= 1);
        }
    }

    /** Vacuums of the hot table other than autovacuum's (pg_stat_user_tables counts those apart). */
    private static long manualVacuums(TestDatabase db) {
        return db.queryLong("select vacuum_count from pg_stat_user_tables where schemaname = '" + db.schema()
                + "' and relname = 'job'");
    }

    private static void enqueueMany(JobQueue q, int n) {
        List<JobRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(JobRequest.of("T", Map.of("i", i)));
        }
        q.enqueueAll(batch);
    }

    @Test
    void metricsCountWhatHappened(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).statsInterval(Duration.ofMillis(50))
                .handler("Ok", job -> { })
                .handler("Bad", job -> { throw new IllegalStateException("x"); }).build()) {
            q.migrate();
            q.enqueueAll(List.of(JobRequest.of("Ok", Map.of()), JobRequest.of("Ok", Map.of()),
                    JobRequest.of("Bad", Map.of()).maxAttempts(1), JobRequest.of("Ok", Map.of()).delay(Duration.ofHours(1))));
            q.runOnce("background", 10);
            var counters = q.metrics().getCounters();
            assertEquals(4, counters.get("spine.jobs.enqueued").getCount());
            assertEquals(3, counters.get("spine.jobs.started").getCount());
            assertEquals(2, counters.get("spine.jobs.completed").getCount());
            assertEquals(1, counters.get("spine.jobs.failed").getCount());
            assertEquals(1, counters.get("spine.jobs.dead_lettered").getCount());
            assertEquals(3, q.metrics().getTimers().get("spine.jobs.run.background").getCount());
            q.start();
            Eventually.await("queue gauges", () -> q.metrics().getGauges().containsKey("spine.jobs.dead_letters.background"));
            assertEquals(1L, q.metrics().getGauges().get("spine.jobs.scheduled.background").getValue());
            assertEquals(1L, q.metrics().getGauges().get("spine.jobs.dead_letters.background").getValue());
        }
    }
}
