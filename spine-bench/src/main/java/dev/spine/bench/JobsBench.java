package dev.spine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.QueueOptions;
import dev.spine.postgres.PgPools;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * spine-jobs against the workload of pg-boss' peer script: batch insert (batches of 1000), single enqueue
 * from 16 threads, drain with a no-op handler (fetch 100, 4 handler threads), and enqueue-to-handler
 * latency at 100 jobs/s. Prints one JSON line with the peers' keys, and {@code drain_mixed_per_s}: the drain
 * with the handlers split over two processes (no peer has it).
 */
final class JobsBench implements BenchMain.Bench {
    static final String SCHEMA = "spine_bench_jobs";
    static final int SENDERS = 16;
    /** Most warm-up rounds (each N jobs through every path) before measuring anyway. */
    private static final int WARMUP_MAX_ROUNDS = 8;

    @Override
    public void run(BenchEnv env) throws Exception {
        int n = BenchEnv.intEnv("N", 50_000);
        int sendN = Math.min(n, 10_000);
        int latN = BenchEnv.intEnv("LAT_N", 500);
        try (HikariDataSource ds = pool(env.pgUrl(), SENDERS + 8); Connection meter = ds.getConnection()) {
            dropSchema(ds);
            RunCounter drained = new RunCounter();
            RunCounter pinged = new RunCounter();
            // the warm-up's pings are timed too, into a sink of their own that fills up: every phase then runs
            // the same code, both ways through Latencies.add (see RunCounter)
            AtomicReference<Latencies> pingTimes = new AtomicReference<>(new Latencies(latN));
            JobQueue queue = JobQueue.builder(ds).schema(SCHEMA)
                    .createQueue("bench").createQueue("bench-send").createQueue("bench-lat")
                    .handler("Noop", job -> drained.ran())
                    .handler("Ping", job -> {
                        long t = Long.parseLong(job.payloadJson().replaceAll("\\D", ""));
                        pingTimes.get().add(micros(Instant.now()) - t);
                        pinged.ran();
                    })
                    .work(new QueueOptions("bench", 4, 100, QueueOptions.DEFAULT_POLL_INTERVAL, BenchEnv.intEnv("FETCHERS", QueueOptions.DEFAULT_FETCHERS)))
                    .archiveCompleted(BenchEnv.intEnv("ARCHIVE", 1) == 1)
                    .work(new QueueOptions("bench-lat", 2, 10, QueueOptions.DEFAULT_POLL_INTERVAL))
                    .build();
            queue.migrate();
            queue.start();
            int warm = warmUp(queue, ds, n, drained, pinged);
            // the drain starts when the queue is resumed: its worker is running and warm, as in a service
            queue.pause("bench");
            drained.expect(n);

            progress("insert " + n);
            CpuMeter insertCpu = CpuMeter.start(meter);
            long t0 = System.nanoTime();
            enqueueBatches(queue, "bench", n);
            double insertPerS = n / seconds(t0);
            double[] insertCpuPerJob = insertCpu.perUnitMicros(n);

            progress("send " + sendN + " from " + SENDERS + " threads");
            t0 = System.nanoTime();
            enqueueSingly(queue, "bench-send", sendN);
            double sendPerS = sendN / seconds(t0);

            progress("drain " + n);
            CpuMeter cpu = CpuMeter.start(meter);
            long jit0 = JitClock.millis();
            t0 = System.nanoTime();
            queue.resume("bench");
            if (!drained.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the drain did not finish in 10 minutes");
            }
            double drainPerS = n / seconds(t0);
            double[] drainCpu = cpu.perUnitMicros(n);
            long drainJitMs = JitClock.millis() - jit0;

            // the drain's last outcomes are written behind its handlers: let them land, so latency is measured
            // on a queue at rest rather than beside the previous phase's writes
            try (Connection c = ds.getConnection()) {
                awaitNoJobs(c, SCHEMA, "bench");
            }
            progress("latency " + latN + " at 100/s");
            Latencies lat = new Latencies(latN);
            pingTimes.set(lat);
            pinged.expect(latN);
            for (int i = 0; i < latN; i++) {
                queue.enqueue(ping());
                Thread.sleep(10); // the 100 jobs/s arrival rate of the peers' workload
            }
            pinged.await(30, TimeUnit.SECONDS); // lat_n tells if some did not run
            queue.close();
            // after the latency phase, not before: the floor's statements, new to the JDBC driver's compiled code,
            // had the JIT recompiling it through the measured phase
            progress("floor: " + latN + " bare one-row inserts at 100/s");
            Latencies floor;
            try (Connection c = ds.getConnection()) {
                floor = Floors.insert(c, SCHEMA, latN);
            }

            double drainMixedPerS = drainMixed(env, ds, n);

            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("bench", "spine-jobs");
            out.put("N", n);
            out.put("warmup", warm);
            out.put("insert_per_s", Math.round(insertPerS));
            out.put("insert_cpu_us_per_job_jvm", insertCpuPerJob[0]);
            out.put("insert_cpu_us_per_job_pg", insertCpuPerJob[1]);
            out.put("send_per_s", Math.round(sendPerS));
            out.put("drain_per_s", Math.round(drainPerS));
            out.put("drain_cpu_us_per_job_jvm", drainCpu[0]);
            out.put("drain_cpu_us_per_job_pg", drainCpu[1]);
            out.put("drain_jit_ms", drainJitMs);
            out.put("drain_mixed_per_s", Math.round(drainMixedPerS));
            out.put("lat_n", lat.count());
            out.put("lat_p50_ms", lat.percentileMillis(0.5));
            out.put("lat_p99_ms", lat.percentileMillis(0.99));
            out.put("lat_max_ms", lat.maxMillis());
            // the machine's floor, timed just after: a bare one-row INSERT's commit at the same pace
            out.put("floor_insert_p50_ms", floor.percentileMillis(0.5));
            out.put("floor_insert_p99_ms", floor.percentileMillis(0.99));
            System.out.println(out);
            dropSchema(ds);
        }
    }

    /**
     * Runs every measured path first, unmeasured, through the same queues and handlers, in rounds of
     * {@code round} jobs until the JIT has settled (see JitClock): a long-running service is measured warm (the
     * JIT has compiled the hot path for the handlers it really runs), as in production. A fixed 150k jobs left
     * C2 compiling through the short drain in some runs (up to 1.7 s of a 2.5 s drain). Leaves the queues
     * empty; returns how many jobs it ran.
     */
    private static int warmUp(JobQueue queue, HikariDataSource ds, int round, RunCounter drained, RunCounter pinged)
            throws Exception {
        int maxRounds = BenchEnv.intEnv("WARMUP_MAX_ROUNDS", WARMUP_MAX_ROUNDS);
        progress("warm-up: rounds of " + round + " jobs through insert, send, drain and single enqueues until the"
                + " JIT settles (not measured)");
        if (maxRounds == 0) {
            return 0;
        }
        // each round ends with the clean-up: run only once, after the last, its statements (truncate, vacuum,
        // checkpoint) deoptimised the JDBC driver's result loop, which C2 then recompiled during the drain
        int rounds = JitClock.warmUntilSettled(() -> {
            warmRound(queue, round, drained, pinged);
            forgetWarmUp(ds);
        }, 2, maxRounds, 0.10);
        return rounds * round * 61 / 50; // drained + sent + pinged
    }

    /** {@code round} jobs through every path: batch insert, single sends, the drain, then direct-dispatch pings. */
    private static void warmRound(JobQueue queue, int round, RunCounter drained, RunCounter pinged) throws Exception {
        queue.pause("bench");
        drained.expect(round);
        enqueueBatches(queue, "bench", round);
        enqueueSingly(queue, "bench-send", round / 5);
        queue.resume("bench");
        if (!drained.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("a warm-up round's jobs did not all run");
        }
        // the latency path too: single enqueues to an idle worker, one at a time (direct dispatch)
        for (int i = 0; i < round / 50; i++) {
            pinged.expect(1);
            queue.enqueue(ping());
            if (!pinged.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a warm-up ping did not run");
            }
        }
    }

    /**
     * {@code drain_mixed_per_s}: the same drain with the handlers split over two processes with disjoint job
     * types (see {@link MixedDrain}), after an unmeasured round and the warm-up's clean-up.
     */
    private static double drainMixed(BenchEnv env, HikariDataSource ds, int n) throws Exception {
        progress("mixed drain " + n + ": two processes, disjoint job types, one table (after a warm-up round)");
        MixedDrain.perSecond(env.pgUrl(), SCHEMA, Math.min(n, 10_000), 4, 100);
        try (Connection c = ds.getConnection()) {
            forgetWarmUp(c, SCHEMA);
        }
        return MixedDrain.perSecond(env.pgUrl(), SCHEMA, n, 4, 100);
    }

    /** A latency probe: a job stamped with the time it was enqueued, for the idle latency queue. */
    private static JobRequest ping() {
        return JobRequest.json("Ping", "{\"t\":" + micros(Instant.now()) + "}").queue("bench-lat");
    }

    /** Drops what a warm-up round left: its sent-only jobs, then its archive and keys (see below). */
    private static void forgetWarmUp(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("delete from " + SCHEMA + ".job where queue = 'bench-send'"); // sent, never worked
            awaitNoJobs(c, SCHEMA, null);
            forgetWarmUp(c, SCHEMA);
        }
    }

    /** {@code n} no-op jobs for {@code queueName} in {@code enqueueAll} batches of 1000 (the insert workload). */
    static void enqueueBatches(JobQueue queue, String queueName, int n) {
        for (int i = 0; i < n; i += 1000) {
            List<JobRequest> batch = new ArrayList<>(1000);
            for (int j = 0; j < 1000 && i + j < n; j++) {
                batch.add(JobRequest.of("Noop", Map.of("i", i + j)).queue(queueName));
            }
            queue.enqueueAll(batch);
        }
    }

    /** {@code n} single no-op enqueues to {@code queueName} from 16 threads (the send workload). */
    static void enqueueSingly(JobQueue queue, String queueName, int n) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        for (int s = 0; s < SENDERS; s++) {
            senders.execute(() -> {
                while (next.getAndIncrement() < n) {
                    queue.enqueue(JobRequest.of("Noop", Map.of("x", 1)).queue(queueName));
                }
            });
        }
        senders.shutdown();
        if (!senders.awaitTermination(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("single enqueues did not finish in 10 minutes");
        }
    }

    /**
     * Leaves the tables as the peers' measured phases find theirs, on a fresh schema: the warm-up's finished
     * jobs and idempotency keys go (hundreds of thousands of rows, beyond a default shared_buffers, made
     * every later write evict pages), and the emptied hot table is vacuumed, as autovacuum does for a
     * running service (its naptime, a minute, is longer than a benchmark); then a checkpoint.
     */
    static void forgetWarmUp(Connection c, String schema) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("truncate " + schema + ".job_archive, " + schema + ".job_key");
            s.execute("vacuum analyze " + schema + ".job");
            try {
                // the warm-up wrote gigabytes of WAL: its checkpoint is taken now, not in a measured phase
                s.execute("checkpoint");
            } catch (java.sql.SQLException e) {
                progress("no checkpoint after the warm-up (" + e.getMessage().trim() + "): figures may include one");
            }
        }
    }

    /**
     * Waits until the schema's hot job table holds no job (of {@code queue}, or of any queue when null): the
     * outcomes a drain's handlers produced are written behind them.
     */
    static void awaitNoJobs(Connection c, String schema, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (var ps = c.prepareStatement("select count(*) from " + schema + ".job where ?::text is null or queue = ?")) {
            ps.setString(1, queue);
            ps.setString(2, queue);
            while (System.nanoTime() < deadline) {
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(10); // polling the table until the writer is done
            }
        }
        throw new IllegalStateException("the drained jobs' outcomes were not written within 60 s");
    }

    static HikariDataSource pool(String url, int size) {
        return PgPools.create(url, size, "spine-bench");
    }

    private static void dropSchema(HikariDataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static void progress(String what) {
        // the wall clock, to line a phase up with the database's log and the machine's own records
        System.err.println("[bench] " + java.time.LocalTime.now().withNano(0) + " " + what);
    }
}
