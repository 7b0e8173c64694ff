package dev.spine.server.cli;

import static dev.spine.server.cli.CliTest.on;
import static dev.spine.server.cli.CliTest.provisioned;
import static dev.spine.server.cli.CliTest.spine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.events.Spine;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.server.ServerConfig;
import dev.spine.server.cli.CliTest.Run;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** {@code --json} on the listing commands, {@code --version}, and connections that must be named or --dev. */
@ExtendWith(SpineServices.class)
class CliJsonAndConnectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void listingCommandsPrintJsonThatParses(TestDatabase db, TestNats nats) throws Exception {
        try (JobQueue queue = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Fails", job -> {
                    throw new IllegalStateException("broken on purpose");
                }).build(); Spine ignored = provisioned(nats)) {
            queue.migrate();
            UUID dead = queue.enqueue(JobRequest.of("Fails", Map.of("n", 1)).maxAttempts(1).correlationId("c-json"));
            assertEquals(1, queue.runOnce("background", 10));

            JsonNode queues = json(on(db, nats, "queues", "--json"));
            JsonNode background = find(queues, "queue", "background");
            assertEquals(1, background.path("dead").asInt(), queues.toString());
            assertFalse(background.path("paused").asBoolean());

            JsonNode deadJobs = json(on(db, nats, "dead-letters", "list", "--json"));
            JsonNode job = find(deadJobs, "id", dead.toString());
            assertEquals("Fails", job.path("type").asText());
            assertEquals(1, job.path("payload").path("n").asInt(), "payload embedded as JSON");
            assertTrue(job.path("errors").get(0).path("error").asText().contains("broken on purpose"), job.toString());
            assertTrue(job.path("diedAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), "ISO-8601 instant");

            JsonNode byCorrelation = json(on(db, nats, "jobs", "--correlation-id", "c-json", "--json"));
            assertEquals(dead.toString(), byCorrelation.get(0).path("id").asText());
            JsonNode one = json(on(db, nats, "jobs", dead.toString(), "--json"));
            assertEquals("c-json", one.path("correlationId").asText());

            JsonNode streams = json(on(db, nats, "streams", "--json"));
            JsonNode platform = find(streams, "name", nats.prefix() + "_platform-events");
            assertTrue(platform.path("exists").asBoolean(), streams.toString());
        }
    }

    @Test
    void tailWritesJsonLinesAndKeepsItsBannerOffStdout(TestDatabase db, TestNats nats) throws Exception {
        try (Spine spine = provisioned(nats)) {
            spine.publish(CliTest.event("data.EntityCreated", 1));
            spine.publish(CliTest.event("data.EntityUpdated", 2));
            Run tail = spine(on(db, nats, "tail", "--from-start", "--count", "2", "--json").toArray(String[]::new));
            assertEquals(0, tail.exit(), tail.err());
            assertTrue(tail.err().contains("# tailing"), tail.err());
            java.util.List<String> lines = tail.out().lines().toList();
            assertEquals(2, lines.size(), tail.out());
            JsonNode first = JSON.readTree(lines.get(0));
            assertEquals(1, first.path("sequence").asLong());
            assertEquals("data.EntityCreated", first.path("event").path("eventType").asText());
            assertEquals(1, first.path("event").path("data").path("n").asInt());
            assertEquals("data.EntityUpdated", JSON.readTree(lines.get(1)).path("event").path("eventType").asText());
        }
    }

    @Test
    void versionComesFromTheBuild() {
        Run version = spine("--version");
        assertEquals(0, version.exit());
        assertTrue(version.out().trim().matches("spine \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version.out());
    }

    @Test
    void anUnsetUrlStopsTheCommandThatNeedsItUnlessDevOrAnOptionGivesIt() {
        assertEquals(new ConnectionOptions.Given(false, false), options().given(name -> null));
        assertEquals(new ConnectionOptions.Given(true, true), options("--dev").given(name -> null));
        assertEquals(new ConnectionOptions.Given(true, false), options("--pg", "jdbc:postgresql://db/x").given(name -> null));
        assertEquals(new ConnectionOptions.Given(false, true), options("--nats", "nats://n:4222").given(name -> null));
        assertEquals(new ConnectionOptions.Given(true, true),
                options().given(Map.of("SPINE_PG_URL", "jdbc:postgresql://db/x", "SPINE_NATS_URL", "nats://n:4222")::get));
        assertEquals(new ConnectionOptions.Given(false, true),
                options().given(Map.of("SPINE_PG_URL", " ", "SPINE_NATS_URL", "nats://n:4222")::get), "blank is unset");

        try (Backends backends = new Backends(ServerConfig.defaults(), new ConnectionOptions.Given(false, false))) {
            CommandFailure pg = assertThrows(CommandFailure.class, backends::dataSource);
            assertEquals("SPINE_PG_URL", pg.field());
            assertEquals(SpineCommand.INVALID, pg.exitCode());
            assertTrue(pg.getMessage().contains("--pg") && pg.getMessage().contains("--dev"), pg.getMessage());
            CommandFailure nats = assertThrows(CommandFailure.class, backends::spine);
            assertEquals("SPINE_NATS_URL", nats.field());
        }
    }

    private static ConnectionOptions options(String... args) {
        QueuesCommand command = new QueuesCommand();
        new CommandLine(command).parseArgs(args);
        return command.connection;
    }

    private static JsonNode json(java.util.List<String> args) throws Exception {
        Run run = spine(args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        return JSON.readTree(run.out());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode row : array) {
            if (row.path(field).asText().equals(value)) {
                return row;
            }
        }
        throw new AssertionError("no row with " + field + "=" + value + " in " + array);
    }
}
