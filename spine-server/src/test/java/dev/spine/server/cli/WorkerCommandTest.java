package dev.spine.server.cli;

import static dev.spine.server.cli.CliTest.on;
import static dev.spine.server.cli.CliTest.spine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.WorkerInfo;
import dev.spine.server.cli.CliTest.Run;
import dev.spine.service.PluginJar;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code spine worker --handlers <jar>} as its own process: it serves the jar's job types and stops on SIGTERM. */
@ExtendWith(SpineServices.class)
class WorkerCommandTest {

    @Test
    void aWorkerProcessRunsItsJarsJobsThenStopsGracefully(TestDatabase db, TestNats nats, @TempDir Path dir)
            throws Exception {
        Path jar = PluginJar.build(dir, "ConnectorPlugin", "ProcessIncomingDataJob", true);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpineCli.class.getName()));
        command.addAll(on(db, nats, "worker", "--handlers", jar.toString(), "--tiers", "background"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPINE_SHUTDOWN_TIMEOUT", "5s");
        Process worker = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("spine worker: running")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "the worker never said it runs:\n" + seen);
            assertTrue(line.contains("[ProcessIncomingDataJob]") && line.contains("[background]"), line);

            JobQueue producer = JobQueue.builder(db.dataSource()).schema(db.schema()).build();
            for (int i = 0; i < 10; i++) {
                producer.enqueue(JobRequest.of("ProcessIncomingDataJob", Map.of("i", i)).queue("background"));
            }
            Eventually.await("the worker process ran the 10 jobs", () -> db.queryLong("select count(*) from "
                    + db.schema() + ".job_archive where state = 'completed' and attempt = 1") == 10);
            WorkerInfo registered = producer.workers().stream().filter(WorkerInfo::live).findFirst().orElseThrow();
            assertEquals(List.of("ProcessIncomingDataJob"), registered.types());

            worker.destroy(); // SIGTERM: the shutdown hook closes the queue, which deregisters the process
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
            assertTrue(producer.workers().stream().noneMatch(WorkerInfo::live), "no live worker left");
        } finally {
            worker.destroyForcibly();
        }
    }

    @Test
    void aJarWithoutHandlersOrAnUnknownTierIsRefusedWithTheOption(TestDatabase db, TestNats nats, @TempDir Path dir) {
        Path empty = PluginJar.build(dir, "Unlisted", "X", false);
        Run none = spine(on(db, nats, "worker", "--handlers", empty.toString()).toArray(String[]::new));
        assertEquals(2, none.exit(), none.err());
        assertTrue(none.err().startsWith("spine worker: INVALID_CONFIG --handlers: ")
                && none.err().contains("no JobHandlerProvider listed in META-INF/services"), none.err());

        Run tier = spine(on(db, nats, "worker", "--handlers", empty.toString(), "--tiers", "urgent")
                .toArray(String[]::new));
        assertEquals(2, tier.exit(), tier.err());
        assertTrue(tier.err().contains("INVALID_TIER --tiers: no tier urgent"), tier.err());
    }
}
