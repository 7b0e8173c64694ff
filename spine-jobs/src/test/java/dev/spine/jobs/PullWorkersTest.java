package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pull worker API of the library: a worker in another process registers in the worker registry, long-polls
 * its job types, and ends attempts with the queue's own retry, backoff, timeout and dead-letter rules. The queue
 * here works no queue itself (no local handlers): every job runs through a pull worker.
 */
@ExtendWith(SpineServices.class)
class PullWorkersTest {
    private static final Duration NO_WAIT = Duration.ZERO;

    private static JobQueue queue(TestDatabase db) {
        JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).heartbeatInterval(Duration.ofMillis(200))
                .staleAfter(Duration.ofSeconds(1)).statsInterval(Duration.ofMillis(200)).build();
        q.start();
        return q;
    }

    @Test
    void aPullWorkerIsInTheRegistryAndItsTypeIsServed(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            q.enqueue(JobRequest.of("Remote", Map.of()).queue("background"));
            assertEquals(List.of(new UnservedType("background", "Remote", 1)), q.unservedTypes());

            UUID w = q.pullWorkers().register("node@test", List.of("background"), List.of("Remote"), 3);

            WorkerInfo info = q.workers().stream().filter(x -> x.id().equals(w)).findFirst().orElseThrow();
            assertEquals("node@test", info.host());
            assertEquals(Map.of("background", 3), info.queues());
            assertEquals(List.of("Remote"), info.types());
            assertTrue(info.live());
            assertEquals(List.of(), q.unservedTypes());
        }
    }

    @Test
    void aWaitingFetchIsWokenByAnEnqueueAndTakesOnlyItsTypes(TestDatabase db) throws Exception {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID w = pull.register(null, List.of("background"), List.of("Remote"), 1);
            q.enqueue(JobRequest.of("Other", Map.of()).queue("background"));
            assertEquals(List.of(), pull.fetch(w, 10, NO_WAIT), "a type the worker does not serve is not claimed");

            long t0 = System.nanoTime();
            CompletableFuture<List<PullWorkers.PulledJob>> waiting =
                    CompletableFuture.supplyAsync(() -> pull.fetch(w, 10, Duration.ofSeconds(15)));
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of("n", 7)).queue("background")
                    .timeout(Duration.ofSeconds(30)));
            List<PullWorkers.PulledJob> got = waiting.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "returned with the job, not at the wait's end");
            assertEquals(1, got.size());
            assertEquals(id, got.get(0).job().id());
            assertEquals("{\"n\":7}", got.get(0).job().payloadJson());
            assertEquals(1, got.get(0).job().attempt());
            assertEquals(Duration.ofSeconds(30), got.get(0).timeout());

            pull.complete(w, id);
            assertEquals("completed", q.find(id).orElseThrow().state());
            InvalidJobException again = assertThrows(InvalidJobException.class, () -> pull.complete(w, id));
            assertEquals(JobErrorCode.NOT_HELD, again.code());
            assertEquals("jobId", again.field());
        }
    }

    @Test
    void aFailureRetriesWithTheWorkersDelayAndTheLastOneDeadLetters(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID w = pull.register(null, List.of("background"), List.of("Remote"), 1);
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background").maxAttempts(2)
                    .backoff(Backoff.exponential(Duration.ofHours(1), Duration.ofHours(1))));
            assertEquals(id, pull.fetch(w, 1, NO_WAIT).get(0).job().id());

            pull.fail(w, id, "upstream said 503", Duration.ZERO); // the worker's delay instead of the hour of backoff
            PullWorkers.PulledJob second = Eventually.awaitValue("the retry is due", Duration.ofSeconds(10),
                    () -> pull.fetch(w, 1, Duration.ofSeconds(1)), l -> !l.isEmpty()).get(0);
            assertEquals(2, second.job().attempt());
            assertTrue(q.find(id).orElseThrow().errorsJson().contains("upstream said 503"));

            pull.fail(w, id, "still 503", null);
            DeadJob dead = q.deadJobs("background", "Remote", 10).get(0);
            assertEquals(id, dead.id());
            assertTrue(dead.errorsJson().contains("still 503"), dead.errorsJson());
        }
    }

    @Test
    void aJobNotEndedWithinItsTimeoutFailsItsAttemptAsATimeout(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID w = pull.register(null, List.of("background"), List.of("Remote"), 1);
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background").maxAttempts(1)
                    .timeout(Duration.ofMillis(300)));
            assertEquals(id, pull.fetch(w, 1, NO_WAIT).get(0).job().id());

            DeadJob dead = Eventually.awaitValue("the attempt timed out", Duration.ofSeconds(10),
                    () -> q.deadJobs("background", "Remote", 10), l -> !l.isEmpty()).get(0);
            assertTrue(dead.errorsJson().contains("timed out after 300 ms"), dead.errorsJson());
            InvalidJobException late = assertThrows(InvalidJobException.class, () -> pull.complete(w, id));
            assertEquals(JobErrorCode.NOT_HELD, late.code());
        }
    }

    @Test
    void aLateCompleteOfATimedOutAttemptDoesNotEndTheNextAttempt(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID w = pull.register(null, List.of("background"), List.of("Remote"), 1);
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background").maxAttempts(2)
                    .timeout(Duration.ofMillis(300)).backoff(Backoff.exponential(Duration.ofMillis(10),
                            Duration.ofMillis(10))));
            assertEquals(1, pull.fetch(w, 1, NO_WAIT).get(0).job().attempt());
            PullWorkers.PulledJob second = Eventually.awaitValue("attempt 1 timed out and attempt 2 was fetched",
                    Duration.ofSeconds(10), () -> pull.fetch(w, 1, Duration.ofSeconds(1)), l -> !l.isEmpty()).get(0);
            assertEquals(2, second.job().attempt());

            assertField("jobId", JobErrorCode.NOT_HELD, () -> pull.complete(w, id, 1));
            assertEquals("running", q.find(id).orElseThrow().state(), "attempt 2 still runs");
            pull.complete(w, id, 2);
            assertEquals("completed", q.find(id).orElseThrow().state());
        }
    }

    @Test
    void theJobsOfAWorkerThatStopsHeartbeatingAreRescuedForAnother(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID silent = pull.register(null, List.of("background"), List.of("Remote"), 1);
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background").timeout(Duration.ofMinutes(5)));
            assertEquals(id, pull.fetch(silent, 1, NO_WAIT).get(0).job().id());

            UUID other = pull.register(null, List.of("background"), List.of("Remote"), 1);
            PullWorkers.PulledJob rescued = Eventually.awaitValue("the job rescued for the live worker",
                    Duration.ofSeconds(20), () -> {
                        pull.heartbeat(other);
                        return pull.fetch(other, 1, Duration.ofMillis(200));
                    }, l -> !l.isEmpty()).get(0);
            assertEquals(id, rescued.job().id());
            assertEquals(2, rescued.job().attempt(), "the silent worker's attempt counted");
            assertEquals(JobErrorCode.NOT_HELD,
                    assertThrows(InvalidJobException.class, () -> pull.complete(silent, id)).code());
            pull.complete(other, id);
            assertEquals("completed", q.find(id).orElseThrow().state());
        }
    }

    @Test
    void theWaitingFetchOfAWorkerThatStoppedHeartbeatingClaimsNothing(TestDatabase db) throws Exception {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            UUID dead = pull.register(null, List.of("background"), List.of("Remote"), 2);
            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background").timeout(Duration.ofMinutes(5)));
            assertEquals(id, pull.fetch(dead, 1, NO_WAIT).get(0).job().id());
            // the worker dies while its next long-poll waits (over HTTP: a connection the server has not yet seen
            // close); the rescue of its job wakes that poll
            CompletableFuture<List<PullWorkers.PulledJob>> deadPoll =
                    CompletableFuture.supplyAsync(() -> pull.fetch(dead, 1, Duration.ofSeconds(10)));
            Eventually.await("the dead worker's job was rescued", Duration.ofSeconds(20),
                    () -> String.valueOf(q.find(id).orElseThrow().errorsJson()).contains("rescued"));
            assertEquals(List.of(), deadPoll.get(15, TimeUnit.SECONDS), "the poll of a worker gone stale took a job");

            UUID live = pull.register(null, List.of("background"), List.of("Remote"), 1);
            PullWorkers.PulledJob next = pull.fetch(live, 1, Duration.ofSeconds(5)).get(0);
            assertEquals(id, next.job().id());
            assertEquals(2, next.job().attempt());
        }
    }

    @Test
    void badInputNamesItsField(TestDatabase db) {
        try (JobQueue q = queue(db)) {
            PullWorkers pull = q.pullWorkers();
            assertField("queues[0]", JobErrorCode.UNKNOWN_QUEUE,
                    () -> pull.register(null, List.of("nope"), List.of("Remote"), 1));
            assertField("types", JobErrorCode.MISSING_FIELD, () -> pull.register(null, List.of("background"), List.of(), 1));
            assertField("concurrency", JobErrorCode.INVALID_FIELD,
                    () -> pull.register(null, List.of("background"), List.of("Remote"), 0));
            UUID w = pull.register(null, List.of("background"), List.of("Remote"), 1);
            assertField("max", JobErrorCode.INVALID_FIELD, () -> pull.fetch(w, 0, NO_WAIT));
            assertField("wait", JobErrorCode.INVALID_FIELD, () -> pull.fetch(w, 1, Duration.ofMinutes(1)));
            assertField("workerId", JobErrorCode.NOT_FOUND, () -> pull.heartbeat(UUID.randomUUID()));

            UUID id = q.enqueue(JobRequest.of("Remote", Map.of()).queue("background"));
            UUID thief = pull.register(null, List.of("background"), List.of("Remote"), 1);
            assertEquals(id, pull.fetch(w, 1, NO_WAIT).get(0).job().id());
            assertField("jobId", JobErrorCode.NOT_HELD, () -> pull.complete(thief, id));
            assertField("jobId", JobErrorCode.NOT_HELD, () -> pull.fail(thief, id, "no", null));

            pull.remove(w);
            assertEquals(0, q.find(id).orElseThrow().attempt(), "handed back on unregister, attempt not counted");
            assertEquals("available", q.find(id).orElseThrow().state());
            assertField("workerId", JobErrorCode.NOT_FOUND, () -> pull.fetch(w, 1, NO_WAIT));
        }
    }

    private static void assertField(String field, JobErrorCode code, Runnable call) {
        InvalidJobException e = assertThrows(InvalidJobException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
    }
}
