package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

@ExtendWith(SpineServices.class)
class WorkerTest {
    /** Long enough that a test passing quickly proves a wake-up, not a poll. */
    static final Duration NO_POLL = Duration.ofSeconds(60);

    @Test
    void aClaimNeverScansTheWholeHotTableAfterTheQueueFilledUp(TestDatabase db) throws Exception {
        // the claim was a server-side prepared statement: planned generically while the queue was empty (a
        // sequential scan), it kept scanning the whole hot table once thousands of jobs arrived
        JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate(); // applying scripts takes two connections
        HikariDataSource one = db.newDataSource(1);
        try (JobQueue q = JobQueue.builder(one).schema(db.schema()).handler("T", job -> { }).build()) {
            q.migrate();
            db.execute("analyze " + db.schema() + ".job");
            for (int i = 0; i < 12; i++) { // past the driver's and the server's thresholds for a generic plan
                assertEquals(0, q.runOnce("background", 100));
            }
            List<JobRequest> burst = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                burst.add(JobRequest.of("T", Map.of("i", i)));
            }
            q.enqueueAll(burst);
            long before = seqScans(db, one);
            assertEquals(100, q.runOnce("background", 100));
            assertEquals(before, seqScans(db, one), "the claim read the fetch index, not the whole table");
        } finally {
            one.close();
        }
    }

    @Test
    void outcomesNeverScanTheWholeHotTableAfterItFilledUp(TestDatabase db) throws Exception {
        // the outcome statements were server-side prepared too: planned generically while the table was nearly
        // empty, a completion scanned every row of it (parsing its array of row addresses once per row) after
        // thousands of jobs arrived, and finished jobs piled up faster than they were written
        JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate(); // applying scripts takes two connections
        HikariDataSource one = db.newDataSource(1);
        try (JobQueue q = JobQueue.builder(one).schema(db.schema()).handler("Done", job -> { })
                .handler("Fails", job -> { throw new IllegalStateException("fails"); }).build()) {
            q.migrate();
            db.execute("analyze " + db.schema() + ".job");
            for (int i = 0; i < 12; i++) { // past the driver's and the server's thresholds for a generic plan
                enqueueDoneRetriedAndDead(q);
                assertEquals(3, q.runOnce("background", 10));
            }
            List<JobRequest> later = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                later.add(JobRequest.of("Done", Map.of("i", i)).delay(Duration.ofHours(1)));
            }
            q.enqueueAll(later);
            enqueueDoneRetriedAndDead(q);
            long before = seqScans(db, one);
            assertEquals(3, q.runOnce("background", 10));
            assertEquals(before, seqScans(db, one), "completion, retry and burial found their rows directly");
            assertEquals(13, q.deadJobs(null, null, 100).size(), "the outcomes were written");
        } finally {
            one.close();
        }
    }

    private static void enqueueDoneRetriedAndDead(JobQueue q) {
        q.enqueue(JobRequest.of("Done", Map.of()));
        q.enqueue(JobRequest.of("Fails", Map.of()).maxAttempts(5) // retried an hour later: stays queued
                .backoff(Backoff.exponential(Duration.ofHours(1), Duration.ofHours(1))));
        q.enqueue(JobRequest.of("Fails", Map.of()).maxAttempts(1));
    }

    /** Sequential scans of the hot table so far, with the one connection's pending statistics flushed first. */
    private static long seqScans(TestDatabase db, HikariDataSource one) throws Exception {
        try (var c = one.getConnection(); var s = c.createStatement()) {
            s.execute("select pg_stat_force_next_flush()"); // flushed when this connection goes idle
            s.execute("select 1");
        }
        return db.queryLong("select seq_scan from pg_stat_user_tables where schemaname = '" + db.schema()
                + "' and relname = 'job'");
    }

    @Test
    void aJobWhoseRowMovedWhileItRanIsStillCompleted(TestDatabase db) {
        // completion first looks for the row where the claim left it (its ctid); an update from elsewhere
        // (here the handler itself; in life an operator's VACUUM FULL) moves it, and it must still complete
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Moved", job -> db.execute("update " + db.schema() + ".job set errors = errors where id = '"
                        + job.id() + "'"))
                .handler("Stays", job -> { }).build()) {
            q.migrate();
            UUID moved = q.enqueue(JobRequest.of("Moved", Map.of()));
            UUID stays = q.enqueue(JobRequest.of("Stays", Map.of()));
            assertEquals(2, q.runOnce("background", 10));
            assertEquals("completed", q.find(moved).orElseThrow().state());
            assertEquals("completed", q.find(stays).orElseThrow().state());
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"), "nothing left running");
        }
    }

    @Test
    void runsEnqueuedJobsByTypeWithTheirPayload(TestDatabase db) throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(2);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("A", job -> { seen.add("A:" + job.payload(Map.class).get("n")); done.countDown(); })
                .handler("B", job -> { seen.add("B:" + job.attempt()); done.countDown(); })
                .work(QueueOptions.of("realtime", 2).pollInterval(NO_POLL))
                .build()) {
            q.start();
            q.enqueue(JobRequest.of("A", Map.of("n", 42)).queue("realtime"));
            q.enqueue(JobRequest.of("B", Map.of()).queue("realtime"));
            assertTrue(done.await(10, TimeUnit.SECONDS), "both jobs ran without waiting for a poll");
            assertEquals(Set.of("A:42", "B:1"), Set.copyOf(seen));
            Eventually.await("jobs leave the hot table", () ->
                    db.queryLong("select count(*) from " + db.schema() + ".job") == 0);
            assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".job_archive where state = 'completed'"));
        }
    }

    @Test
    void aNotifyFromAnotherProcessWakesAnIdleWorker(TestDatabase db) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (JobQueue worker = JobQueue.builder(db.newDataSource(4)).schema(db.schema())
                .handler("Ping", job -> ran.countDown())
                .work(QueueOptions.of("interactive", 1).pollInterval(NO_POLL)).build();
             JobQueue producer = JobQueue.builder(db.newDataSource(2)).schema(db.schema()).build()) {
            worker.start();
            producer.start();
            // the worker has already made its first (empty) fetch and now only a NOTIFY can wake it in time
            Eventually.await("worker idle", () -> worker.metrics().getCounters().get("spine.jobs.started").getCount() == 0);
            producer.enqueue(JobRequest.of("Ping", Map.of()).queue("interactive"));
            assertTrue(ran.await(10, TimeUnit.SECONDS), "woken by LISTEN/NOTIFY, long before the 60 s poll");
        }
    }

    @Test
    void twoProcessesNeverRunTheSameJobTwice(TestDatabase db) throws Exception {
        int n = 3000;
        Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<UUID, String> byProcess = new ConcurrentHashMap<>();
        List<JobQueue> processes = new ArrayList<>();
        try {
            for (String name : List.of("p1", "p2")) {
                JobQueue p = JobQueue.builder(db.newDataSource(6)).schema(db.schema())
                        .handler("Work", job -> {
                            runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                            byProcess.put(job.id(), name);
                        })
                        .work(QueueOptions.of("background", 4).fetchSize(20)).build();
                p.migrate();
                processes.add(p);
            }
            List<JobRequest> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(JobRequest.of("Work", Map.of("i", i)));
            }
            processes.get(0).enqueueAll(batch);
            processes.forEach(JobQueue::start);
            Eventually.await("all jobs ran", () -> runs.size() == n);
            Eventually.await("all outcomes written", () ->
                    db.queryLong("select count(*) from " + db.schema() + ".job") == 0);
            assertTrue(runs.values().stream().allMatch(c -> c.get() == 1), "no job ran twice");
            assertTrue(byProcess.containsValue("p1") && byProcess.containsValue("p2"), "both processes took work");
        } finally {
            processes.forEach(JobQueue::close);
        }
    }

    @Test
    void concurrencyPerQueueIsRespected(TestDatabase db) throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(40);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Slow", job -> {
                    peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                    Thread.sleep(20); // the work itself: holds the slot so overlap can be observed
                    now.decrementAndGet();
                    done.countDown();
                })
                .work(QueueOptions.of("background", 3)).build()) {
            q.migrate();
            List<JobRequest> batch = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                batch.add(JobRequest.of("Slow", Map.of()));
            }
            q.enqueueAll(batch);
            q.start();
            assertTrue(done.await(30, TimeUnit.SECONDS));
            assertEquals(3, peak.get(), "three at a time, never more");
        }
    }

    @Test
    void higherPriorityRunsFirst(TestDatabase db) {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("P", job -> order.add(job.priority())).build()) {
            q.migrate();
            for (int p : new int[] {1, 5, -3, 5, 0}) {
                q.enqueue(JobRequest.of("P", Map.of()).priority(p));
            }
            assertEquals(5, q.runOnce("background", 10));
            assertEquals(List.of(5, 5, 1, 0, -3), order);
        }
    }

    @Test
    void aJobWithNoHandlerHereIsNotClaimedAndKeepsItsAttempts(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).handler("Somebody", job -> { }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("Nobody", Map.of()).maxAttempts(1));
            assertEquals(0, q.runOnce("background", 10), "a job of a type without a handler here is not claimed");
            JobInfo info = q.find(id).orElseThrow();
            assertEquals("available", info.state());
            assertEquals(0, info.attempt());
            assertEquals(null, info.errorsJson(), "no error recorded while it waits");
            assertTrue(q.deadJobs(null, null, 10).isEmpty());
        }
    }

    @Test
    void aHandlerPastItsTimeoutIsInterruptedAndTheAttemptFails(TestDatabase db) {
        AtomicInteger interrupted = new AtomicInteger();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Hang", job -> {
                    try {
                        new CountDownLatch(1).await(); // never counted down: only the timeout ends this
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("Hang", Map.of()).timeout(Duration.ofMillis(200)).maxAttempts(2));
            assertEquals(1, q.runOnce("background", 1));
            assertEquals(1, interrupted.get());
            JobInfo info = q.find(id).orElseThrow();
            assertEquals("available", info.state(), "retried");
            assertTrue(info.errorsJson().contains("timed out after 200 ms"), info.errorsJson());
        }
    }

    @Test
    void pausedQueuesStartNothingUntilResumedAndCancelRemovesAWaitingJob(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).handler("T", job -> { }).build()) {
            q.migrate();
            q.enqueue(JobRequest.of("T", Map.of()));
            UUID cancelled = q.enqueue(JobRequest.of("T", Map.of()));
            assertTrue(q.cancel(cancelled));
            assertEquals("cancelled", q.find(cancelled).orElseThrow().state());
            q.pause("background");
            assertEquals(0, q.runOnce("background", 10));
            assertTrue(q.stats().stream().anyMatch(s -> s.queue().equals("background") && s.paused()));
            q.resume("background");
            assertEquals(1, q.runOnce("background", 10));
            EnqueueTest.expect(JobErrorCode.UNKNOWN_QUEUE, "queue", () -> q.pause("nope"));
        }
    }

    @Test
    void gracefulShutdownLetsRunningJobsFinish(TestDatabase db) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Short", job -> {
                    started.countDown();
                    Thread.sleep(300); // the job's work, still running when close() begins
                    finished.incrementAndGet();
                })
                .shutdownTimeout(Duration.ofSeconds(10))
                .work("background", 1).build();
        q.start();
        UUID id = q.enqueue(JobRequest.of("Short", Map.of()));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        q.close();
        assertEquals(1, finished.get());
        assertEquals("completed", q.find(id).orElseThrow().state());
    }

    @Test
    void shutdownPastTheDeadlineHandsRunningJobsBack(TestDatabase db) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Long", job -> {
                    started.countDown();
                    new CountDownLatch(1).await(); // runs until interrupted by shutdown
                })
                .shutdownTimeout(Duration.ofMillis(200))
                .work("background", 1).build();
        q.start();
        UUID id = q.enqueue(JobRequest.of("Long", Map.of()));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        q.close();
        JobInfo info = q.find(id).orElseThrow();
        assertEquals("available", info.state(), "handed back, not failed");
        assertEquals(0, info.attempt(), "the interrupted attempt does not count");
        assertEquals(null, info.errorsJson());
    }
}
