package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker process killed with SIGKILL mid-job: its job is rescued and run by another process. */
@ExtendWith(SpineServices.class)
class CrashTest {

    /** The child JVM: works the background queue; its handler never returns on its own. */
    public static final class HangingWorker {
        public static void main(String[] args) throws Exception {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(args[0]);
            Path marker = Path.of(args[2]);
            JobQueue q = JobQueue.builder(ds).schema(args[1])
                    .heartbeatInterval(Duration.ofMillis(200)).staleAfter(Duration.ofSeconds(1))
                    .handler("Crashy", job -> {
                        Path tmp = Files.writeString(Path.of(marker + ".tmp"), job.id().toString());
                        Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                        new CountDownLatch(1).await(); // hangs until the process is killed
                    })
                    .work("background", 1).build();
            q.start();
            new CountDownLatch(1).await();
        }
    }

    @Test
    void aKilledWorkersJobIsRescuedAndRunElsewhere(TestDatabase db, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        CountDownLatch rerun = new CountDownLatch(1);
        try (JobQueue survivor = JobQueue.builder(db.dataSource()).schema(db.schema())
                .heartbeatInterval(Duration.ofMillis(200)).staleAfter(Duration.ofSeconds(1))
                .handler("Crashy", job -> rerun.countDown())
                .work("background", 1).build()) {
            survivor.migrate();
            UUID id = survivor.enqueue(JobRequest.of("Crashy", Map.of()).maxAttempts(3));

            Path marker = tmp.resolve("picked");
            Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    HangingWorker.class.getName(), db.url(), db.schema(), marker.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
            try {
                Eventually.await("the child picked the job", () -> Files.exists(marker));
                assertEquals(id.toString(), Files.readString(marker));
                assertEquals("running", survivor.find(id).orElseThrow().state());
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no hand-back
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }

            survivor.start(); // its maintenance notices the silent worker and its own worker runs the job
            assertTrue(rerun.await(30, TimeUnit.SECONDS), "rescued and run by the survivor");
            JobInfo info = Eventually.awaitValue("job completed", Duration.ofSeconds(30),
                    () -> survivor.find(id).orElseThrow(), j -> j.state().equals("completed"));
            assertEquals(2, info.attempt(), "the killed attempt counts");
            assertTrue(info.errorsJson().contains("rescued"), info.errorsJson());
        }
    }

    private static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
