package dev.spine.jobs;

import static dev.spine.jobs.DispatchProbe.dispatched;
import static dev.spine.jobs.DispatchProbe.idle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Direct dispatch: a job this process enqueues while its own worker of the queue is idle is inserted
 * already claimed and runs without a fetch. The dispatch counter is read right after enqueue returns, so
 * what it shows cannot come from a fetch racing the test.
 */
@ExtendWith(SpineServices.class)
class LocalDispatchTest {
    private static final Duration NO_POLL = Duration.ofSeconds(60);

    @Test
    void aJobEnqueuedWhileTheWorkerIsIdleIsClaimedByTheInsertItself(TestDatabase db) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("Held", job -> { attempts.set(job.attempt()); release.await(); ran.countDown(); })
                .work(QueueOptions.of("realtime", 2).pollInterval(NO_POLL)).build()) {
            q.start();
            idle(q, "realtime");
            long before = dispatched(q);
            UUID held = q.enqueue(JobRequest.of("Held", Map.of()).queue("realtime"));
            // counted before enqueue returned: the insert claimed it, no fetch was involved
            assertEquals(before + 1, dispatched(q));
            JobInfo info = q.find(held).orElseThrow();
            assertEquals("running", info.state(), "the committed row is already claimed");
            assertEquals(1, info.attempt());
            release.countDown();
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertEquals(1, attempts.get(), "the handler sees the first attempt");
            Eventually.await("completed and archived", () -> "completed".equals(q.find(held).orElseThrow().state()));
        }
    }

    @Test
    void aCommitNowBatchIsDispatchedLocallyLikeASingleEnqueue(TestDatabase db) throws Exception {
        CountDownLatch ran = new CountDownLatch(2);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("Keyed", job -> ran.countDown())
                .work(QueueOptions.of("realtime", 2).pollInterval(NO_POLL)).build()) {
            q.start();
            idle(q, "realtime");
            long before = dispatched(q);
            // the job service's path: keyed jobs from events, committed at once, told which were created
            List<Enqueued> jobs = q.enqueueAllDetailed(List.of(
                    JobRequest.of("Keyed", Map.of()).queue("realtime").idempotencyKey("e1:Keyed"),
                    JobRequest.of("Keyed", Map.of()).queue("realtime").idempotencyKey("e2:Keyed")));
            assertEquals(before + 2, dispatched(q), "claimed by the insert, counted before the call returned");
            assertTrue(jobs.stream().allMatch(Enqueued::created));
            assertTrue(ran.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPausedQueueIsNotDispatchedLocally(TestDatabase db) throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch later = new CountDownLatch(1);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("First", job -> first.countDown())
                .handler("Later", job -> later.countDown())
                .work(QueueOptions.of("interactive", 2).pollInterval(NO_POLL)).build()) {
            q.start();
            q.enqueue(JobRequest.of("First", Map.of()).queue("interactive"));
            assertTrue(first.await(10, TimeUnit.SECONDS));
            q.pause("interactive");
            long before = dispatched(q);
            UUID id = q.enqueue(JobRequest.of("Later", Map.of()).queue("interactive"));
            assertEquals(before, dispatched(q), "a paused queue's job is not claimed by the insert");
            assertEquals("available", q.find(id).orElseThrow().state());
            assertEquals(1, later.getCount(), "and does not run while paused");
            q.resume("interactive");
            assertTrue(later.await(10, TimeUnit.SECONDS), "resume wakes the worker, which fetches it");
        }
    }

    @Test
    void duplicatesAndRollbacksGiveTheirReservedRoomBack(TestDatabase db) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(4);
        // room for concurrency 1 + fetch size 1 = 2 jobs: a leak of two reservations would stop this worker
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("Once", job -> { runs.incrementAndGet(); three.countDown(); })
                .work(QueueOptions.of("background", 1).fetchSize(1).pollInterval(NO_POLL)).build()) {
            q.start();
            idle(q, "background");
            for (int i = 0; i < 10; i++) {
                q.enqueue(JobRequest.of("Once", Map.of()).queue("background").idempotencyKey("same-key"));
            }
            Eventually.await("the keyed job ran", () -> runs.get() == 1);
            for (int i = 0; i < 5; i++) {
                try (Connection c = db.dataSource().getConnection()) {
                    c.setAutoCommit(false);
                    q.enqueue(c, JobRequest.of("Once", Map.of()).queue("background"));
                    c.rollback();
                }
            }
            for (int i = 0; i < 3; i++) {
                q.enqueue(JobRequest.of("Once", Map.of("i", i)).queue("background"));
            }
            assertTrue(three.await(10, TimeUnit.SECONDS), "the worker still has its room: " + runs.get() + " ran");
            assertEquals(4, runs.get(), "the keyed job once, three new ones, nothing rolled back");
        }
    }

    @Test
    void aJobEnqueuedInTheCallersTransactionWaitsForItsCommit(TestDatabase db) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        // polling on: the LISTEN connection starts in the background, and this test is about the claim, not the NOTIFY
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("Tx", job -> ran.countDown())
                .work(QueueOptions.of("realtime", 2).pollInterval(Duration.ofMillis(200))).build()) {
            q.start();
            idle(q, "realtime");
            long before = dispatched(q);
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                q.enqueue(c, JobRequest.of("Tx", Map.of()).queue("realtime"));
                assertEquals(before, dispatched(q), "not claimed: the caller's transaction may still roll back");
                assertEquals(1, ran.getCount());
                c.commit();
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS), "after the commit a worker fetches it");
        }
    }

    @Test
    void jobsRunOneByOneOnAnIdleWorkerCostNoFetchAfterThem(TestDatabase db) throws Exception {
        Semaphore ran = new Semaphore(0);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("One", job -> ran.release())
                .work(QueueOptions.of("realtime", 2).pollInterval(NO_POLL)).build()) {
            q.start();
            idle(q, "realtime");
            Eventually.await("the probe's outcome written", () -> db.queryLong("select count(*) from "
                    + db.schema() + ".job") == 0);
            long fetchesBefore = q.metrics().getCounters().get("spine.jobs.fetches").getCount();
            for (int i = 0; i < 20; i++) {
                q.enqueue(JobRequest.of("One", Map.of("i", i)).queue("realtime"));
                assertTrue(ran.tryAcquire(10, TimeUnit.SECONDS));
            }
            // the last fetch found nothing: a finished job frees room for nothing, so no fetch follows it
            // (each used to be followed by one that claimed nothing)
            assertEquals(fetchesBefore, q.metrics().getCounters().get("spine.jobs.fetches").getCount());
        }
    }

    @Test
    void jobsEnqueuedWhileTheRoomIsFullRunWhenItFreesWithoutAPoll(TestDatabase db) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch later = new CountDownLatch(1);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Probe", job -> { })
                .handler("Held", job -> release.await())
                .handler("Queued", job -> { })
                .handler("Later", job -> later.countDown())
                .work(QueueOptions.of("realtime", 1).fetchSize(1).fetchers(1).dispatchRoom(1).pollInterval(NO_POLL))
                .build()) {
            q.start();
            idle(q, "realtime"); // its last fetch found nothing
            q.enqueue(JobRequest.of("Held", Map.of()).queue("realtime")); // runs, holding the one handler
            q.enqueue(JobRequest.of("Queued", Map.of()).queue("realtime")); // claimed, waits for the handler
            q.enqueue(JobRequest.of("Queued", Map.of()).queue("realtime")); // the last room
            // no room left to claim it: inserted available; its wake-up finds no room to fetch into
            q.enqueue(JobRequest.of("Later", Map.of()).queue("realtime"));
            release.countDown();
            // room frees as the others finish: that must wake the fetcher (there is no poll within the test)
            assertTrue(later.await(20, TimeUnit.SECONDS), "the job left available ran once room freed");
        }
    }
}
