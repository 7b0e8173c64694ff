package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries, backoff and dead letters, stepped with a settable clock: no sleeping. */
@ExtendWith(SpineServices.class)
class RetryTest {

    @Test
    void failuresRetryWithBackoffThenDieWithEveryErrorThenRedrive(TestDatabase db) throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failUntil = new AtomicInteger(Integer.MAX_VALUE);
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).clock(clock)
                .handler("Flaky", job -> {
                    if (calls.incrementAndGet() <= failUntil.get()) {
                        throw new IllegalStateException("boom " + job.attempt());
                    }
                }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("Flaky", Map.of()).maxAttempts(3)
                    .backoff(Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(15))));

            assertEquals(1, q.runOnce("background", 10));
            JobInfo after1 = q.find(id).orElseThrow();
            assertEquals("available", after1.state());
            assertEquals(0, q.runOnce("background", 10), "not due during its backoff");
            clock.advance(Duration.ofSeconds(4));
            assertEquals(0, q.runOnce("background", 10), "backoff after attempt 1 is 5..10 s");
            clock.advance(Duration.ofSeconds(6));
            assertEquals(1, q.runOnce("background", 10), "due once 10 s passed");

            clock.advance(Duration.ofSeconds(7));
            assertEquals(0, q.runOnce("background", 10), "attempt 2's backoff is 7.5..15 s (capped)");
            clock.advance(Duration.ofSeconds(8));
            assertEquals(1, q.runOnce("background", 10));

            assertTrue(q.find(id).orElseThrow().state().equals("dead"));
            DeadJob dead = q.deadJobs("background", "Flaky", 10).get(0);
            JsonNode errors = new ObjectMapper().readTree(dead.errorsJson());
            assertEquals(3, errors.size(), "one error per attempt");
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1, errors.get(i).get("attempt").asInt());
                assertTrue(errors.get(i).get("error").asText().contains("boom " + (i + 1)));
            }
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".job"));

            failUntil.set(0);
            q.redrive(id);
            assertEquals(1, q.runOnce("background", 10));
            assertEquals("completed", q.find(id).orElseThrow().state());
            assertTrue(q.deadJobs(null, null, 10).isEmpty());
        }
    }

    @Test
    void deadJobsCanBeListedAndDeleted(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Bad", job -> { throw new IllegalArgumentException("nope"); }).build()) {
            q.migrate();
            UUID a = q.enqueue(JobRequest.of("Bad", Map.of()).maxAttempts(1).queue("realtime"));
            UUID b = q.enqueue(JobRequest.of("Bad", Map.of()).maxAttempts(1));
            q.runOnce("realtime", 10);
            q.runOnce("background", 10);
            assertEquals(2, q.deadJobs(null, "Bad", 10).size());
            assertEquals(a, q.deadJobs("realtime", null, 10).get(0).id());
            assertTrue(q.deleteDead(b));
            assertEquals(1, q.deadJobs(null, null, 10).size());
            EnqueueTest.expect(JobErrorCode.NOT_FOUND, "id", () -> q.redrive(b));
        }
    }

    @Test
    void aSnoozedJobWaitsWithoutUsingAnAttempt(TestDatabase db) {
        SettableClock clock = new SettableClock();
        AtomicInteger calls = new AtomicInteger();
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).clock(clock)
                .handler("Later", job -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new SnoozeJob(Duration.ofMinutes(1), "breaker open");
                    }
                }).build()) {
            q.migrate();
            UUID id = q.enqueue(JobRequest.of("Later", Map.of()).maxAttempts(1));
            assertEquals(1, q.runOnce("background", 10));
            JobInfo waiting = q.find(id).orElseThrow();
            assertEquals("available", waiting.state());
            assertEquals(0, waiting.attempt());
            assertEquals(null, waiting.errorsJson());
            assertEquals(0, q.runOnce("background", 10));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(1, q.runOnce("background", 10));
            assertEquals("completed", q.find(id).orElseThrow().state(), "its single attempt was still there");
        }
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndACap() {
        for (int i = 0; i < 200; i++) {
            long d1 = Backoff.delay(1000, 60_000, 1).toMillis();
            long d3 = Backoff.delay(1000, 60_000, 3).toMillis();
            long d20 = Backoff.delay(1000, 60_000, 20).toMillis();
            assertTrue(d1 >= 500 && d1 <= 1000, "attempt 1: " + d1);
            assertTrue(d3 >= 2000 && d3 <= 4000, "attempt 3: " + d3);
            assertTrue(d20 >= 30_000 && d20 <= 60_000, "capped: " + d20);
        }
    }
}
