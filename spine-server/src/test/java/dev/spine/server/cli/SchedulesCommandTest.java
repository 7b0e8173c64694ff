package dev.spine.server.cli;

import static dev.spine.server.cli.CliTest.on;
import static dev.spine.server.cli.CliTest.spine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.server.cli.CliTest.Run;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code spine schedules} against a process running a schedule on the test's schema. */
@ExtendWith(SpineServices.class)
class SchedulesCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void schedulesAreListedTriggeredPausedAndResumedFromTheCommandLine(TestDatabase db, TestNats nats) throws Exception {
        CronSchedule weekly = CronSchedule.of("weekly-report", "0 6 * * MON", "Europe/Berlin",
                JobRequest.of("WeeklyReportJob", Map.of()).queue("background"));
        try (JobQueue process = JobQueue.builder(db.dataSource()).schema(db.schema()).schedule(weekly).build()) {
            process.start();

            Run text = spine(on(db, nats, "schedules").toArray(String[]::new));
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().matches("(?s).*\\nweekly-report\\s+0 6 \\* \\* MON\\s+Europe/Berlin\\s+WeeklyReportJob"
                    + "\\s+background\\s+no\\s+\\S+\\s+-\\s+-\\n.*"), text.out());

            Run fired = spine(on(db, nats, "schedules", "trigger", "weekly-report", "--key", "r-1", "--json")
                    .toArray(String[]::new));
            assertEquals(0, fired.exit(), fired.err());
            JsonNode job = JSON.readTree(fired.out());
            assertTrue(job.path("created").asBoolean(), fired.out());
            Run repeated = spine(on(db, nats, "schedules", "trigger", "weekly-report", "--key", "r-1", "--json")
                    .toArray(String[]::new));
            assertEquals(job.path("jobId").asText(), JSON.readTree(repeated.out()).path("jobId").asText());
            assertEquals("false", JSON.readTree(repeated.out()).path("created").asText());

            assertEquals(0, spine(on(db, nats, "schedules", "pause", "weekly-report").toArray(String[]::new)).exit());
            JsonNode listed = JSON.readTree(spine(on(db, nats, "schedules", "--json").toArray(String[]::new)).out())
                    .path("items").get(0);
            assertTrue(listed.path("paused").asBoolean(), listed.toString());
            assertEquals(job.path("jobId").asText(), listed.path("lastJobId").asText());
            assertEquals("available", listed.path("lastJobState").asText(), "no worker here: the job waits");
            assertEquals(0, spine(on(db, nats, "schedules", "resume", "weekly-report").toArray(String[]::new)).exit());
            assertEquals("false", JSON.readTree(spine(on(db, nats, "schedules", "--json").toArray(String[]::new)).out())
                    .path("items").get(0).path("paused").asText());

            Run missing = spine(on(db, nats, "schedules", "pause", "no-such").toArray(String[]::new));
            assertEquals(SpineCommand.NOT_FOUND, missing.exit());
            assertTrue(missing.err().contains("NOT_FOUND schedule"), missing.err());
        }
    }
}
