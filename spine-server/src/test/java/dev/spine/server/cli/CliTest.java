package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.ReplayOptions;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.service.ServiceConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code spine} commands through picocli, with captured output, against real PostgreSQL and NATS. */
@ExtendWith(SpineServices.class)
class CliTest {

    /** One run of the command line: exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {}

    static Run spine(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SpineCli()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The connection options that put a command on this test's schema and streams. */
    static List<String> on(TestDatabase db, TestNats nats, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--pg-url", db.url(), "--pg-schema", db.schema(), "--nats-url", nats.url(),
                "--stream-prefix", nats.prefix() + "_", "--subject-prefix", nats.prefix() + "."));
        return all;
    }

    static Spine provisioned(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(StreamTopology.builder().streamNamePrefix(nats.prefix() + "_")
                .subjectPrefix(nats.prefix() + ".").build()).build();
        spine.provision();
        return spine;
    }

    @Test
    void publishStoresTheEventAndInvalidInputNamesCodeAndField(TestDatabase db, TestNats nats, @TempDir Path dir)
            throws Exception {
        try (Spine spine = provisioned(nats)) {
            UUID correlation = UUID.randomUUID();
            Run ok = spine(on(db, nats, "publish", "data.EntityCreated", "{\"id\":7}", "--source", "cli-test",
                    "--correlation-id", correlation.toString()).toArray(String[]::new));
            assertEquals(0, ok.exit(), ok.err());
            assertTrue(ok.out().contains("stream=" + nats.prefix() + "_platform-events sequence=1 duplicate=false"), ok.out());

            List<EventEnvelope> stored = new ArrayList<>();
            spine.replay(ReplayOptions.fromSequence(1).build(), e -> stored.add(e.envelope()));
            assertEquals(1, stored.size());
            assertEquals("data.EntityCreated", stored.get(0).eventType());
            assertEquals("cli-test", stored.get(0).source());
            assertEquals(correlation, stored.get(0).correlationId());
            assertEquals(7, stored.get(0).data().get("id").asInt());

            Path file = Files.writeString(dir.resolve("data.json"), "{\"id\":8}");
            UUID eventId = UUID.randomUUID();
            String[] fromFile = on(db, nats, "publish", "data.EntityUpdated", "--file", file.toString(), "--event-id",
                    eventId.toString()).toArray(String[]::new);
            assertTrue(spine(fromFile).out().contains("sequence=2 duplicate=false"));
            assertTrue(spine(fromFile).out().contains("sequence=2 duplicate=true"), "same event id: JetStream dedupes");

            assertInvalid(spine(on(db, nats, "publish", "NotAType", "{}").toArray(String[]::new)), "INVALID_EVENT_TYPE",
                    "eventType");
            assertInvalid(spine(on(db, nats, "publish", "data.EntityCreated", "[1]").toArray(String[]::new)),
                    "INVALID_FIELD", "data");
            assertInvalid(spine(on(db, nats, "publish", "data.EntityCreated", "{bad").toArray(String[]::new)),
                    "MALFORMED_JSON", "data");
            assertInvalid(spine(on(db, nats, "publish", "data.EntityCreated").toArray(String[]::new)),
                    "MISSING_FIELD", "data");

            Run streams = spine(on(db, nats, "streams").toArray(String[]::new));
            assertEquals(0, streams.exit(), streams.err());
            assertTrue(streams.out().matches("(?s).*" + nats.prefix() + "_platform-events\\s+2\\s.*"), streams.out());
            assertTrue(streams.out().contains(nats.prefix() + "_audit-log"), streams.out());
        }
    }

    @Test
    void streamsPlanListsTheDifferencesAndApplyMakesThemShrinkingOnlyWhenAllowed(TestDatabase db, TestNats nats)
            throws Exception {
        String prefix = nats.prefix() + "_";
        String billing = nats.prefix() + ".billing.*";
        try (Spine spine = Spine.builder(nats.connect()).topology(StreamTopology.builder().streamNamePrefix(prefix)
                .subjectPrefix(nats.prefix() + ".").domains(dev.spine.contracts.Domains.defaults().with("billing"))
                .build()).build()) {
            spine.provision(); // a client with one more domain made the streams
        }
        Run plan = spine(on(db, nats, "streams", "plan").toArray(String[]::new));
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().matches("(?s).*" + prefix + "platform-events\\s+subjects\\s+" + java.util.regex.Pattern.quote(billing)
                + "\\s+-\\s+SHRINK.*"), plan.out());
        assertTrue(plan.out().contains("1 difference(s)"), plan.out());

        Run json = spine(on(db, nats, "streams", "plan", "--json", "--domains",
                "connector,communication,data,rule,job,ai,system,billing,shipping").toArray(String[]::new));
        assertEquals(0, json.exit(), json.err());
        com.fasterxml.jackson.databind.JsonNode changes = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.out()).path("changes");
        assertEquals(1, changes.size(), json.out());
        assertEquals("ADD", changes.get(0).path("effect").asText());
        assertEquals(nats.prefix() + ".shipping.*", changes.get(0).path("wanted").asText());

        Run refused = spine(on(db, nats, "streams", "apply").toArray(String[]::new));
        assertInvalid(refused, "SHRINK_NOT_ALLOWED", "--allow-shrink");
        assertTrue(spine(on(db, nats, "streams", "plan").toArray(String[]::new)).out().contains(billing),
                "a refused apply changes nothing");

        Run applied = spine(on(db, nats, "streams", "apply", "--allow-shrink").toArray(String[]::new));
        assertEquals(0, applied.exit(), applied.err());
        assertTrue(applied.out().contains("1 change(s) applied"), applied.out());
        Run after = spine(on(db, nats, "streams", "plan").toArray(String[]::new));
        assertTrue(after.out().contains("no differences"), after.out());
    }

    @Test
    void tailPrintsNewEventsOfTheChosenTypeAndStopsAfterCount(TestDatabase db, TestNats nats) throws Exception {
        try (Spine spine = provisioned(nats)) {
            spine.publish(event("data.EntityCreated", 0)); // stored before tail starts: not shown
            StringWriter out = new StringWriter();
            int[] exit = {-1};
            Thread tail = new Thread(() -> exit[0] = new CommandLine(new SpineCli()).setOut(new PrintWriter(out, true))
                    .execute(on(db, nats, "tail", "--type", "data.EntityCreated", "--count", "2").toArray(String[]::new)));
            tail.start();
            Eventually.await("tail is listening", () -> out.toString().contains("# tailing"));
            spine.publish(event("data.EntityUpdated", 1));
            spine.publish(event("data.EntityCreated", 2));
            spine.publish(event("data.EntityCreated", 3));
            tail.join(Duration.ofSeconds(30).toMillis());
            assertFalse(tail.isAlive(), "tail stopped after --count events");
            assertEquals(0, exit[0]);
            List<String> lines = out.toString().lines().filter(l -> !l.startsWith("#")).toList();
            assertEquals(2, lines.size(), out.toString());
            assertTrue(lines.get(0).contains("data.EntityCreated") && lines.get(0).contains("data={\"n\":2}"), lines.get(0));
            assertTrue(lines.get(1).contains("data={\"n\":3}"), lines.get(1));
        }
    }

    @Test
    void queuesAndDeadJobsCanBeListedRetriedAndDeleted(TestDatabase db, TestNats nats) {
        try (JobQueue queue = JobQueue.builder(db.dataSource()).schema(db.schema()).work("background", 1)
                .handler("Fails", job -> {
                    throw new IllegalStateException("broken on purpose");
                }).build()) {
            queue.migrate();
            UUID retried = queue.enqueue(JobRequest.of("Fails", Map.of("n", 1)).maxAttempts(1).correlationId("c-1"));
            UUID deleted = queue.enqueue(JobRequest.of("Fails", Map.of("n", 2)).maxAttempts(1));
            assertEquals(2, queue.runOnce("background", 10));

            Run queues = spine(on(db, nats, "queues").toArray(String[]::new));
            assertEquals(0, queues.exit(), queues.err());
            assertTrue(queues.out().matches("(?s).*\\nbackground\\s+no\\s+0\\s+0\\s+0\\s+2\\n.*"), queues.out());

            Run list = spine(on(db, nats, "dead-letters", "list").toArray(String[]::new));
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.out().contains(retried.toString()) && list.out().contains(deleted.toString()), list.out());
            assertTrue(list.out().contains("broken on purpose"), list.out());

            Run retry = spine(on(db, nats, "dead-letters", "retry", retried.toString()).toArray(String[]::new));
            assertEquals(0, retry.exit(), retry.err());
            assertFalse(spine(on(db, nats, "dead-letters", "list").toArray(String[]::new)).out().contains(retried.toString()));
            assertTrue(spine(on(db, nats, "jobs", retried.toString()).toArray(String[]::new)).out()
                    .contains("state:         available"));
            assertTrue(spine(on(db, nats, "jobs", "--correlation-id", "c-1").toArray(String[]::new)).out()
                    .contains(retried.toString()));
            assertTrue(spine(on(db, nats, "queues").toArray(String[]::new)).out()
                    .matches("(?s).*\\nbackground\\s+no\\s+1\\s+0\\s+0\\s+1\\n.*"));

            assertEquals(0, spine(on(db, nats, "dead-letters", "delete", deleted.toString()).toArray(String[]::new)).exit());
            Run again = spine(on(db, nats, "dead-letters", "delete", deleted.toString()).toArray(String[]::new));
            assertEquals(7, again.exit());
            assertTrue(again.err().contains("NOT_FOUND id"), again.err());
            Run unknown = spine(on(db, nats, "dead-letters", "retry", UUID.randomUUID().toString()).toArray(String[]::new));
            assertEquals(7, unknown.exit(), unknown.err());
            assertEquals(2, spine(on(db, nats, "dead-letters", "retry", "not-a-uuid").toArray(String[]::new)).exit());
        }
    }

    @Test
    void aDemoDurationThatIsNoDurationIsAUsageErrorNamingTheOption() {
        for (String bad : List.of("soon", "-PT5M", "5 minutes")) {
            Run r = spine("demo", "--keep-running", bad);
            assertEquals(2, r.exit(), bad);
            assertTrue(r.err().contains("--keep-running") && r.err().contains("must be a duration like 30s"), r.err());
        }
    }

    @Test
    void serveHelpListsEveryVariableWithItsDefault() {
        Run help = spine("serve", "--help");
        assertEquals(0, help.exit());
        for (Map.Entry<String, String[]> v : dev.spine.server.ServerConfig.VARIABLES.entrySet()) {
            assertTrue(help.out().contains(v.getKey()), v.getKey());
            assertTrue(help.out().contains(v.getValue()[1]), v.getValue()[1]);
            if (!v.getValue()[0].isEmpty()) {
                assertTrue(help.out().contains(v.getValue()[0]), v.getValue()[0]);
            }
        }
    }

    static EventEnvelope event(String type, int n) {
        return EventEnvelope.builder().eventType(type).source("test")
                .data(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    private static void assertInvalid(Run r, String code, String field) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(code + " " + field + ":"), r.err());
    }

    @Test
    void migratePrintsEverySqlStatementWithoutADatabaseAndAppliesEachMigrationOnce(TestDatabase db, TestNats nats) {
        Run printed = spine(on(db, nats, "migrate", "--print-sql").toArray(String[]::new));
        assertEquals(0, printed.exit(), printed.err());
        for (String component : List.of("-- jobs", "-- engine", "-- gateway")) {
            assertTrue(printed.out().contains(component + " (schema " + db.schema() + ")"), component);
        }
        assertTrue(printed.out().contains(db.schema() + ".job"), "the schema is filled in");
        assertTrue(!printed.out().contains("${schema}"), "no placeholder left");
        assertEquals(0, db.queryLong("select count(*) from information_schema.schemata where schema_name = '"
                + db.schema() + "'"), "printing touched no database");

        Run applied = spine(on(db, nats, "migrate").toArray(String[]::new));
        assertEquals(0, applied.exit(), applied.err());
        assertTrue(applied.out().contains("jobs: "), applied.out());
        assertTrue(!applied.out().contains(": 0 migration(s) applied"), "a fresh schema gets every migration: "
                + applied.out());
        Run again = spine(on(db, nats, "migrate").toArray(String[]::new));
        assertEquals(0, again.exit(), again.err());
        assertEquals(3, again.out().split(": 0 migration\\(s\\) applied", -1).length - 1, "nothing twice: " + again.out());
    }
}
