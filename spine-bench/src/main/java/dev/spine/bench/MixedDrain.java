package dev.spine.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.QueueOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The drain with the handlers split over two processes: two {@link JobQueue}s in this JVM (a pool each, as
 * two services would have), one with a handler for {@code MixA} only, the other for {@code MixB} only, both
 * working one queue of one table, drain the same N no-op jobs (the types alternating) that {@code drain_per_s}
 * drains with one process serving everything. Each process claims only its own type, per type (its census
 * sees the other's type waiting), with the same fetch size and handler threads as the single-process drain.
 */
final class MixedDrain {
    static final String QUEUE = "bench-mixed";
    static final List<String> TYPES = List.of("MixA", "MixB");

    private MixedDrain() {}

    /**
     * Inserts {@code n} jobs into the paused queue, starts both processes, resumes the queue and returns the
     * jobs drained per second, from the resume to the last handler run. Closes both processes; the archive
     * keeps the jobs (clean up before a measured run).
     */
    static double perSecond(String pgUrl, String schema, int n, int concurrency, int fetchSize) throws Exception {
        RunCounter ran = new RunCounter();
        try (HikariDataSource poolA = JobsBench.pool(pgUrl, concurrency + 6);
                HikariDataSource poolB = JobsBench.pool(pgUrl, concurrency + 6);
                JobQueue a = process(poolA, schema, TYPES.get(0), ran, concurrency, fetchSize);
                JobQueue b = process(poolB, schema, TYPES.get(1), ran, concurrency, fetchSize)) {
            a.migrate();
            a.pause(QUEUE);
            for (int i = 0; i < n; i += 1000) {
                List<JobRequest> batch = new ArrayList<>(1000);
                for (int j = i; j < i + 1000 && j < n; j++) {
                    batch.add(JobRequest.of(TYPES.get(j % 2), Map.of("i", j)).queue(QUEUE));
                }
                a.enqueueAll(batch);
            }
            a.start();
            b.start();
            ran.expect(n);
            long t0 = System.nanoTime();
            a.resume(QUEUE);
            // the other process's LISTEN connection may still be starting: wake its worker directly too
            b.wake(QUEUE);
            if (!ran.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the mixed drain did not finish in 10 minutes");
            }
            return n / JobsBench.seconds(t0);
        }
    }

    private static JobQueue process(HikariDataSource pool, String schema, String type, RunCounter ran,
            int concurrency, int fetchSize) {
        return JobQueue.builder(pool).schema(schema).createQueue(QUEUE).handler(type, job -> ran.ran())
                .work(new QueueOptions(QUEUE, concurrency, fetchSize, QueueOptions.DEFAULT_POLL_INTERVAL,
                        QueueOptions.DEFAULT_FETCHERS))
                .build();
    }
}
