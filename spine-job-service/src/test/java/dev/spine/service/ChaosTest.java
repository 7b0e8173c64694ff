package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the job service at random points under load, again and again, restarting it each time:
 * every acknowledged event has exactly one job per route, every job runs at least once, and a handler that
 * is idempotent by key takes effect exactly once. Prints published / created / ran / lost / duplicated.
 */
@ExtendWith(SpineServices.class)
class ChaosTest {
    static final int EVENTS = 3000;
    static final int KILLS = 10;

    /** The child JVM: a job service whose handler records each run and its effect (idempotent by key). */
    public static final class ServiceProcess {
        public static void main(String[] args) throws Exception {
            Map<String, String> env = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                env.put(args[i], args[i + 1]);
            }
            String url = env.get("SPINE_PG_URL");
            String schema = env.get("SPINE_PG_SCHEMA");
            JobService service = JobService.builder(ServiceConfig.from(env::get)).discoverHandlers(false)
                    .handler("IndexDocumentJob", job -> {
                        try (Connection c = DriverManager.getConnection(url)) {
                            c.setAutoCommit(false);
                            try (PreparedStatement run = c.prepareStatement("insert into " + schema + ".chaos_run (job_key) values (?)");
                                 PreparedStatement effect = c.prepareStatement("insert into " + schema
                                         + ".chaos_effect (job_key) values (?) on conflict do nothing")) {
                                run.setString(1, job.idempotencyKey());
                                run.execute();
                                effect.setString(1, job.idempotencyKey());
                                effect.execute();
                            }
                            c.commit();
                        }
                    }).build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(service::close));
            Thread.currentThread().join(); // runs until killed
        }
    }

    @Test
    void killingTheServiceAgainAndAgainLosesNothingAndDuplicatesNoEffect(TestDatabase db, TestNats nats,
            @TempDir Path tmp) throws Exception {
        ServiceConfig config = ServiceFixture.config(db, nats, Map.of("SPINE_ACK_WAIT", "2s",
                "SPINE_WORKER_STALE_AFTER", "1500ms", "SPINE_WORKERS_BACKGROUND", "4"));
        db.execute("create schema " + db.schema());
        db.execute("create table " + db.schema() + ".chaos_run (job_key text not null)");
        db.execute("create table " + db.schema() + ".chaos_effect (job_key text primary key)");
        Random random = new Random(7);
        List<Process> started = new ArrayList<>();
        try (Spine publisher = ServiceFixture.publisher(nats, config)) {
            publisher.provision();
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < EVENTS; i++) {
                    publisher.publish(ServiceFixture.event("data.EntityCreated", i)); // acknowledged by JetStream
                    if (i % 100 == 99) {
                        pause(50);
                    }
                }
            });
            for (int k = 0; k < KILLS; k++) {
                Process p = start(config, tmp, k);
                started.add(p);
                awaitStarted(tmp, k);
                pause(200 + random.nextInt(1500)); // then kill it at a random point of its work
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no ack, no hand-back
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            load.get(2, TimeUnit.MINUTES);
            Process last = start(config, tmp, KILLS);
            started.add(last);
            awaitStarted(tmp, KILLS);
            String completed = "select count(*) from " + db.schema() + ".job_archive where state = 'completed'";
            Eventually.await("every job completed after the last restart", Duration.ofMinutes(3),
                    () -> db.queryLong(completed) == EVENTS);
            long created = db.queryLong("select count(*) from " + db.schema() + ".job_key");
            long ran = db.queryLong("select count(*) from " + db.schema() + ".chaos_run");
            long effects = db.queryLong("select count(*) from " + db.schema() + ".chaos_effect");
            // every job is archived once when it completes: more archived jobs than keys would be duplicates
            long duplicatedJobs = db.queryLong("select count(*) from " + db.schema() + ".job_archive") - created;
            System.out.printf("chaos: published %d, created %d, ran %d (re-runs %d), effects %d, lost %d, duplicated %d, kills %d%n",
                    EVENTS, created, ran, ran - effects, effects, EVENTS - created, duplicatedJobs, KILLS);
            assertEquals(EVENTS, created, "one job per acknowledged event: none lost, none twice");
            assertEquals(0, duplicatedJobs);
            assertTrue(ran >= EVENTS, "every job ran at least once");
            assertEquals(EVENTS, effects, "idempotent by key: each effect exactly once");
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".dead_job"));
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
            }
        }
    }

    private static Process start(ServiceConfig config, Path tmp, int n) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java", "-Xmx256m", "-cp", System.getProperty("java.class.path"), ServiceProcess.class.getName()));
        config.asVariables().forEach((k, v) -> {
            cmd.add(k);
            cmd.add(v);
        });
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("service-" + n + ".log").toFile())
                .start();
    }

    private static void awaitStarted(Path tmp, int n) {
        Path log = tmp.resolve("service-" + n + ".log");
        Eventually.await("service " + n + " started (see " + log + ")", Duration.ofSeconds(60), () -> {
            try {
                return java.nio.file.Files.exists(log) && java.nio.file.Files.readString(log).contains("job service started");
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the load's pace and the time before the next kill, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
