package dev.spine.server.cli;

import static dev.spine.server.cli.CliTest.on;
import static dev.spine.server.cli.CliTest.spine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.events.Spine;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.server.ServerFixture;
import dev.spine.server.SpineServer;
import dev.spine.server.cli.CliTest.Run;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The commands that give the CLI what the API has: queues pause/resume, jobs cancel, rejected events, breakers. */
@ExtendWith(SpineServices.class)
class OperatorCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Run run(TestDatabase db, TestNats nats, String... args) {
        return spine(on(db, nats, args).toArray(String[]::new));
    }

    @Test
    void aQueueIsPausedAndResumedAndAWaitingJobCancelled(TestDatabase db, TestNats nats) throws Exception {
        try (JobQueue jobs = JobQueue.builder(db.dataSource()).schema(db.schema()).build()) {
            jobs.migrate();
            UUID waiting = jobs.enqueue(JobRequest.of("Report", Map.of()).queue("background"));

            Run paused = run(db, nats, "queues", "pause", "background");
            assertEquals(0, paused.exit(), paused.err());
            JsonNode queues = JSON.readTree(run(db, nats, "queues", "--json").out());
            JsonNode background = null;
            for (JsonNode q : queues) {
                if (q.path("queue").asText().equals("background")) {
                    background = q;
                }
            }
            assertTrue(background != null && background.path("paused").asBoolean(), queues.toString());
            assertEquals(0, run(db, nats, "queues", "resume", "background").exit());
            assertTrue(jobs.stats().stream().noneMatch(s -> s.paused()), "resumed");
            Run unknown = run(db, nats, "queues", "pause", "no-such-queue");
            assertEquals(SpineCommand.NOT_FOUND, unknown.exit(), unknown.err());
            assertTrue(unknown.err().contains("UNKNOWN_QUEUE queue"), unknown.err());

            Run cancelled = run(db, nats, "jobs", "cancel", waiting.toString());
            assertEquals(0, cancelled.exit(), cancelled.err());
            assertEquals("cancelled", JSON.readTree(run(db, nats, "jobs", waiting.toString(), "--json").out())
                    .path("state").asText());
            Run again = run(db, nats, "jobs", "cancel", waiting.toString());
            assertEquals(SpineCommand.INVALID, again.exit());
            assertTrue(again.err().contains("NOT_CANCELLABLE id"), again.err());
            assertEquals(SpineCommand.NOT_FOUND, run(db, nats, "jobs", "cancel", UUID.randomUUID().toString()).exit());
        }
    }

    @Test
    void rejectedEventsAndBreakersAreListedAsTheApiShowsThem(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer server = SpineServer.builder(ServerFixture.config(db, nats, Map.of("SPINE_READ_OPEN", "true")))
                .discoverHandlers(false).handler("IndexDocumentJob", job -> { }).build().start();
                Spine publisher = ServiceFixture.publisher(nats, server.engine().config())) {
            publisher.publishUnchecked("data.EntityCreated", "{not json".getBytes(StandardCharsets.UTF_8));
            Eventually.await("the malformed event is rejected", Duration.ofSeconds(30), () -> {
                Run r = run(db, nats, "rejected-events", "--json");
                return r.exit() == 0 && r.out().contains("MALFORMED_JSON");
            });
            JsonNode page = JSON.readTree(run(db, nats, "rejected-events", "--json").out());
            assertEquals(1, page.path("items").size(), page.toString());
            assertEquals("{not json", page.path("items").get(0).path("preview").asText());
            assertTrue(page.path("next").isNull(), "one page");
            Run table = run(db, nats, "rejected-events");
            assertTrue(table.out().matches("(?s).*\\n\\s+\\d+\\s+\\S+\\s+\\S*data\\.EntityCreated\\s+MALFORMED_JSON.*"),
                    table.out());

            String api = "http://" + server.adminAddress();
            Run breakers = spine("breakers", "--api", api, "--json");
            assertEquals(0, breakers.exit(), breakers.err());
            assertEquals("CLOSED", JSON.readTree(breakers.out()).path("breakers").path("IndexDocumentJob").asText());
            Run down = spine("breakers", "--api", "http://127.0.0.1:1");
            assertEquals(SpineCommand.FAILED, down.exit());
            assertTrue(down.err().contains("UNREACHABLE api"), down.err());
            assertFalse(down.err().contains("Exception in thread"), down.err());
        }
    }
}
