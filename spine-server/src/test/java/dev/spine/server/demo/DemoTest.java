package dev.spine.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.server.ServerConfig;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import dev.spine.testkit.Eventually;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code spine demo} on every {@code SPINE_EVENT_BUS} backend: events become jobs in all three tiers, cron
 * fires, retries end in dead letters, and the demo says {@code demo: OK}. Its job types live in different
 * processes (the job service, a connector worker JVM, a communication worker JVM; inside the demo's process on
 * the in-memory backend): each ran only its own types, every job of a served type finished, and the type with no
 * worker waits unserved at attempt 0; and a demo killed outright (SIGKILL) leaves no worker process behind. The
 * runs share the demo's fixed schema and stream names, so they run one after another (methods of a class run on
 * one thread).
 */
@ExtendWith(SpineServices.class)
@ResourceLock("spine_demo") // the demo's fixed schema and streams, shared with DemoDashboardTest
class DemoTest {
    private static final String S = Demo.SCHEMA;

    @ParameterizedTest
    @ValueSource(strings = {"nats", "postgres", "in-memory"})
    void theDemoEndsOkOnEveryEventBackend(String backend, TestDatabase db, TestNats nats) throws Exception {
        ServerConfig base = ServerConfig.from(Map.of("SPINE_PG_URL", db.url(), "SPINE_NATS_URL", nats.url(),
                "SPINE_EVENT_BUS", backend, "SPINE_HTTP_ADDR", "127.0.0.1:0")::get);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Demo demo = new Demo(base, new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit = demo.run();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("on the " + backend + " event backend"), printed);
        assertTrue(printed.contains("demo: OK"), printed);

        // each worker ran its own job types and nothing else, in a process of its own (but in-memory)
        List<DemoWorker.Report> reports = demo.workerReports();
        assertEquals(List.of("connector", "communication"), reports.stream().map(DemoWorker.Report::name).toList());
        DemoWorker.Report connector = reports.get(0);
        DemoWorker.Report communication = reports.get(1);
        assertEquals(Demo.CONNECTOR_TYPES, connector.types());
        assertEquals(Demo.COMMUNICATION_TYPES, communication.types());
        assertEquals(Map.of("ProcessIncomingDataJob", Demo.CONNECTOR_EVENTS, "IndexDocumentJob", Demo.CONNECTOR_EVENTS),
                without(connector.runs(), "SyncConnectorDataJob"), printed);
        assertTrue(connector.runs().getOrDefault("SyncConnectorDataJob", 0) >= 1, "cron ticks ran in the connector worker");
        assertEquals(Map.of("RunRuleEngineJob", Demo.COMMUNICATION_EVENTS + Demo.STEADY_EVENTS), communication.runs(),
                printed);
        assertEquals(Demo.FAX_EVENTS * 3, communication.faxAttempts(), "3 attempts of each fax, all in its worker");
        long demoPid = ProcessHandle.current().pid();
        if (!backend.equals("in-memory")) {
            assertNotEquals(demoPid, connector.pid());
            assertNotEquals(demoPid, communication.pid());
            assertNotEquals(connector.pid(), communication.pid());
            for (DemoWorker.Report r : reports) {
                assertFalse(ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false),
                        "worker " + r.name() + " was stopped at the end");
            }
        }
        assertTrue(printed.contains("worker connector (pid " + connector.pid() + ") serves " + Demo.CONNECTOR_TYPES),
                printed);

        // every job of a served type finished, at its first attempt, and nothing but the failing fax died; cron
        // ticks after the connector worker stopped wait for it (the job service schedules until it closes)
        assertEquals(0, db.queryLong("select count(*) from " + S + ".job where type not in ('" + Demo.UNSERVED_TYPE
                + "', 'SyncConnectorDataJob') or attempt <> 0 or errors is not null"),
                () -> rows(db, "select type, state, attempt, errors::text from " + S + ".job where type <> '"
                        + Demo.UNSERVED_TYPE + "'") + "\n" + printed);
        assertEquals(2L * Demo.CONNECTOR_EVENTS + Demo.COMMUNICATION_EVENTS + Demo.STEADY_EVENTS + Demo.AI_EVENTS,
                db.queryLong("select count(*) from " + S + ".job_archive where state = 'completed' and attempt = 1"
                        + " and type <> 'SyncConnectorDataJob'"));
        assertEquals(0, db.queryLong("select count(*) from " + S + ".job_archive where state <> 'completed' or attempt <> 1"),
                () -> rows(db, "select type, state, attempt, errors::text from " + S + ".job_archive"
                        + " where state <> 'completed' or attempt <> 1") + "\n" + printed);
        assertEquals(Demo.FAX_EVENTS, db.queryLong("select count(*) from " + S + ".dead_job where type = 'SendFaxJob'"));
        assertEquals(0, db.queryLong("select count(*) from " + S + ".dead_job where type <> 'SendFaxJob'"
                + " or errors::text like '%no handler%'"));

        // the type nobody serves waits: attempt 0, not dead, and the summary names it unserved
        assertEquals(Demo.TRANSCRIPTION_EVENTS, db.queryLong("select count(*) from " + S + ".job where type = '"
                + Demo.UNSERVED_TYPE + "' and state = 0 and attempt = 0 and errors is null"));
        assertTrue(printed.contains("unserved: " + Demo.UNSERVED_TYPE + " in background, " + Demo.TRANSCRIPTION_EVENTS
                + " jobs waiting with no live worker"), printed);
    }

    @Test
    void aDemoKilledOutrightLeavesNoWorkerProcessBehind(TestDatabase db, TestNats nats) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.spine.server.cli.SpineCli", "demo")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(Map.of("SPINE_PG_URL", db.url(), "SPINE_NATS_URL", nats.url(),
                "SPINE_EVENT_BUS", "postgres", "SPINE_HTTP_ADDR", "127.0.0.1:0"));
        Process demo = pb.start();
        List<ProcessHandle> workers = List.of();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("demo: workers up:")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "the demo never said its workers are up:\n" + seen);
            workers = demo.descendants().toList();
            assertEquals(2, workers.size(), "two worker JVMs: " + workers);

            demo.destroyForcibly(); // SIGKILL: no shutdown hook runs; only the end of their stdin tells the workers
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS), "the demo died");
            List<ProcessHandle> started = workers;
            Eventually.await("the workers stopped once their demo was gone",
                    () -> started.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            demo.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly); // a failed run must not leave them either
        }
    }

    /** The rows of {@code sql}, for a failure message. */
    private static String rows(TestDatabase db, String sql) {
        StringBuilder b = new StringBuilder();
        try (var c = db.dataSource().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    b.append(rs.getString(i)).append(i < columns ? " | " : "\n");
                }
            }
        } catch (java.sql.SQLException e) {
            b.append("(cannot read: ").append(e).append(')');
        }
        return b.toString();
    }

    private static Map<String, Integer> without(Map<String, Integer> runs, String type) {
        Map<String, Integer> rest = new java.util.HashMap<>(runs);
        rest.remove(type);
        return rest;
    }
}
