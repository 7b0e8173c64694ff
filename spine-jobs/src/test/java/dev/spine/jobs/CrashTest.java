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

/**
 * A worker process killed with SIGKILL mid-job: its job is rescued and run by another process. A job the
 * killed process had claimed by its own insert (direct dispatch) gets its attempt back.
 */
@ExtendWith(SpineServices.class)
class CrashTest {

    /**
     * A child JVM's queue (args: JDBC URL, schema): quick heartbeats, the background queue with one worker,
     * and a "Crashy" handler that writes {@code marker(job)} to the marker file (args[2]) and then hangs.
     */
    private static JobQueueBuilder childQueue(String[] args, java.util.function.Function<Job, String> marker) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(args[0]);
        Path file = Path.of(args[2]);
        return JobQueue.builder(ds).schema(args[1])
                .heartbeatInterval(Duration.ofMillis(200)).staleAfter(Duration.ofSeconds(1))
                .handler("Crashy", job -> {
                    Path tmp = Files.writeString(Path.of(file + ".tmp"), marker.apply(job));
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    new CountDownLatch(1).await(); // hangs until the process is killed
                })
                .work("background", 1);
    }

    /** The child JVM: works the background queue; its handler never returns on its own. */
    public static final class HangingWorker {
        public static void main(String[] args) throws Exception {
            JobQueue q = childQueue(args, job -> job.id().toString()).build();
            q.start();
            new CountDownLatch(1).await();
        }
    }

    /**
     * The child JVM: enqueues a job for its own idle worker (so its insert claims it) and hangs in it. The
     * marker says which job, and whether it was dispatched locally.
     */
    public static final class DispatchingWorker {
        public static void main(String[] args) throws Exception {
            JobQueue q = childQueue(args, job -> job.id() + " " + job.attempt()).handler("Probe", job -> { }).build();
            q.start();
            var dispatched = q.metrics().counter("spine.jobs.dispatched_locally");
            while (dispatched.getCount() == 0) { // until the worker is drained and takes its own inserts
                q.enqueue(JobRequest.of("Probe", Map.of()));
                Thread.sleep(20); // a retry interval in a child process, not synchronisation of the test
            }
            long before = dispatched.getCount();
            q.enqueue(JobRequest.of("Crashy", Map.of()).maxAttempts(1));
            if (dispatched.getCount() != before + 1) {
                throw new IllegalStateException("the job was not dispatched locally");
            }
            new CountDownLatch(1).await();
        }
    }

    /** The surviving process: the same quick heartbeats as the child, counting "Crashy" runs down. */
    private static JobQueue survivor(TestDatabase db, CountDownLatch rerun) {
        return JobQueue.builder(db.dataSource()).schema(db.schema())
                .heartbeatInterval(Duration.ofMillis(200)).staleAfter(Duration.ofSeconds(1))
                .handler("Crashy", job -> rerun.countDown())
                .work("background", 1).build();
    }

    /** Starts {@code main} in a child JVM on the test's database, its output in {@code tmp}/child.log. */
    private static Process startChild(Class<?> main, TestDatabase db, Path marker, Path tmp) throws Exception {
        return new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                main.getName(), db.url(), db.schema(), marker.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    }

    @Test
    void aJobClaimedByItsOwnInsertGetsItsAttemptBackWhenTheWorkerIsKilled(TestDatabase db,
            @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        CountDownLatch rerun = new CountDownLatch(1);
        try (JobQueue survivor = survivor(db, rerun)) {
            survivor.migrate();
            Path marker = tmp.resolve("picked");
            Process child = startChild(DispatchingWorker.class, db, marker, tmp);
            UUID id;
            try {
                Eventually.await("the child runs its own job", () -> Files.exists(marker));
                String[] picked = Files.readString(marker).split(" ");
                id = UUID.fromString(picked[0]);
                assertEquals("1", picked[1], "its first attempt");
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no hand-back
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }

            survivor.start();
            assertTrue(rerun.await(30, TimeUnit.SECONDS), "rescued and run by the survivor, not dead-lettered");
            JobInfo info = Eventually.awaitValue("job completed", Duration.ofSeconds(30),
                    () -> survivor.find(id).orElseThrow(), j -> j.state().equals("completed"));
            // maxAttempts 1: had the killed claim counted, the rescue would have buried the job instead
            assertEquals(1, info.attempt(), "the claim made by the insert was given back");
            assertTrue(info.errorsJson().contains("rescued"), info.errorsJson());
        }
    }

    @Test
    void aKilledWorkersJobIsRescuedAndRunElsewhere(TestDatabase db, @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        CountDownLatch rerun = new CountDownLatch(1);
        try (JobQueue survivor = survivor(db, rerun)) {
            survivor.migrate();
            UUID id = survivor.enqueue(JobRequest.of("Crashy", Map.of()).maxAttempts(3));

            Path marker = tmp.resolve("picked");
            Process child = startChild(HangingWorker.class, db, marker, tmp);
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
