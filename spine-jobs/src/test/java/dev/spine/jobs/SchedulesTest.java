package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Schedules as operators use them: listed from any process on the schema, fired now, paused and resumed. */
@ExtendWith(SpineServices.class)
class SchedulesTest {

    private static JobQueue runner(TestDatabase db, CronSchedule schedule, JobHandler handler) {
        JobQueue q = JobQueue.builder(db.newDataSource(4)).schema(db.schema()).schedule(schedule)
                .cronPollInterval(Duration.ofMillis(100)).handler(schedule.job().fields().type(), handler)
                .work("background", 2).build();
        q.start();
        return q;
    }

    /** A queue like the CLI's: built on the schema, never started, no schedule of its own. */
    private static JobQueue operator(TestDatabase db) {
        return JobQueue.builder(db.newDataSource(2)).schema(db.schema()).build();
    }

    @Test
    void aScheduleIsListedByAnyProcessAndFiredNowOncePerRequest(TestDatabase db) {
        CronSchedule nightly = CronSchedule.of("nightly-reindex", "0 3 * * *", "Europe/Berlin",
                JobRequest.of("ReindexJob", Map.of("scope", "all")).queue("background").maxAttempts(2));
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (JobQueue service = runner(db, nightly, job -> runs.computeIfAbsent(job.payloadJson(),
                k -> new AtomicInteger()).incrementAndGet()); JobQueue cli = operator(db)) {
            ScheduleInfo listed = cli.schedules().list().stream().filter(s -> s.name().equals("nightly-reindex"))
                    .findFirst().orElseThrow();
            assertEquals("0 3 * * *", listed.cron());
            assertEquals("Europe/Berlin", listed.zone());
            assertEquals("ReindexJob", listed.jobType());
            assertEquals("background", listed.queue());
            assertFalse(listed.paused());
            assertNotNull(listed.nextFire(), "db-scheduler's next tick");
            assertTrue(listed.nextFire().isAfter(Instant.now()), "" + listed.nextFire());
            assertNull(listed.lastFire(), "nothing fired yet");

            Enqueued first = cli.schedules().trigger("nightly-reindex", "req-1");
            assertTrue(first.created());
            Enqueued again = cli.schedules().trigger("nightly-reindex", "req-1");
            assertEquals(first.id(), again.id(), "a retried request makes no second job");
            assertFalse(again.created());
            Enqueued other = cli.schedules().trigger("nightly-reindex", "req-2");
            assertNotEquals(first.id(), other.id());

            Eventually.await("both triggered jobs ran in the process with the handler",
                    () -> runs.values().stream().mapToInt(AtomicInteger::get).sum() == 2);
            ScheduleInfo after = Eventually.awaitValue("the last fire's job completed", Duration.ofSeconds(30),
                    () -> cli.schedules().find("nightly-reindex").orElseThrow(),
                    s -> "completed".equals(s.lastJobState()));
            assertEquals(other.id(), after.lastJobId());
            assertNotNull(after.lastFire());
            JobInfo job = cli.find(first.id()).orElseThrow();
            assertEquals(2, job.maxAttempts(), "the triggered job is the schedule's job, options included");
            assertEquals("{\"scope\":\"all\"}", job.payloadJson().replace(" ", ""));
        }
    }

    @Test
    void unknownSchedulesAndBlankRequestKeysAreRefusedNamingTheField(TestDatabase db) {
        try (JobQueue cli = operator(db)) {
            cli.migrate();
            InvalidJobException unknown = assertThrows(InvalidJobException.class,
                    () -> cli.schedules().trigger("no-such", "k"));
            assertEquals(JobErrorCode.NOT_FOUND, unknown.code());
            assertEquals("schedule", unknown.field());
            assertEquals(JobErrorCode.NOT_FOUND,
                    assertThrows(InvalidJobException.class, () -> cli.schedules().pause("no-such")).code());
            InvalidJobException blank = assertThrows(InvalidJobException.class,
                    () -> cli.schedules().trigger("no-such", " "));
            assertEquals("requestKey", blank.field());
            assertTrue(cli.schedules().find("no-such").isEmpty());
        }
    }

    @Test
    void aPausedScheduleLetsItsTicksPassAndResumesAtTheNextOne(TestDatabase db) {
        CronSchedule everySecond = CronSchedule.of("heartbeat-sync", "* * * * * *", "UTC",
                JobRequest.of("HeartbeatSyncJob", Map.of()).queue("background"));
        String ticks = "select count(*) from " + db.schema() + ".job where type = 'HeartbeatSyncJob'";
        String archived = "select count(*) from " + db.schema() + ".job_archive where type = 'HeartbeatSyncJob'";
        try (JobQueue service = runner(db, everySecond, job -> { }); JobQueue cli = operator(db)) {
            Eventually.await("a tick ran", () -> cli.schedules().find("heartbeat-sync").orElseThrow().lastFire() != null);
            cli.schedules().pause("heartbeat-sync");
            assertTrue(cli.schedules().find("heartbeat-sync").orElseThrow().paused());
            // a tick already executing when the pause committed may still enqueue: count from the next one on
            Instant pausedFrom = Instant.now().plusSeconds(1);
            long before = db.queryLong(ticks) + db.queryLong(archived);
            // db-scheduler moves next_fire past each tick it executed: three ticks passed while paused
            Eventually.await("three ticks passed", Duration.ofSeconds(30),
                    () -> cli.schedules().find("heartbeat-sync").orElseThrow().nextFire().isAfter(pausedFrom.plusSeconds(3)));
            long made = db.queryLong(ticks) + db.queryLong(archived) - before;
            assertTrue(made <= 1, "paused ticks enqueue nothing (at most the one already executing): " + made);
            Instant lastWhilePaused = cli.schedules().find("heartbeat-sync").orElseThrow().lastFire();
            assertTrue(lastWhilePaused.isBefore(pausedFrom), "no fire recorded while paused: " + lastWhilePaused);

            cli.schedules().resume("heartbeat-sync");
            assertFalse(cli.schedules().find("heartbeat-sync").orElseThrow().paused());
            Eventually.await("a tick after the resume enqueues again", Duration.ofSeconds(30),
                    () -> cli.schedules().find("heartbeat-sync").orElseThrow().lastFire().isAfter(pausedFrom.plusSeconds(3)));
        }
    }
}
