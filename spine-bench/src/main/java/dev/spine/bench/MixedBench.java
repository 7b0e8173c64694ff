package dev.spine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.JobTier;
import dev.spine.events.EventBus;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobRequest;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;

/**
 * The tiers' promise under load: the job service with workers on all three tiers while the background tier
 * floods. The background queue starts with a batch-inserted backlog of {@code MIXED_N} jobs whose handlers
 * take about a millisecond each (so the backlog lasts the run); meanwhile events arrive at 2,000/s into
 * background ({@code connector.DataReceived}) and 200/s into interactive ({@code ai.QueryReceived}), and a
 * realtime probe publishes one {@code communication.MessageReceived} every 10 ms. Each event carries its
 * publish time; its handler takes publish→start. Phases, in one JVM and one service:
 * <ol>
 *   <li>warm-up: the event mix without the backlog (unmeasured);</li>
 *   <li>{@code idle}: realtime and interactive with the background tier idle (the floor of this run);</li>
 *   <li>{@code alone}: the backlog drains with nothing else running (background drain alone);</li>
 *   <li>{@code mix}: the full flood on top of the draining backlog;</li>
 *   <li>{@code after}: the flood ends (background events stop); the probe goes on until the job service's
 *       consumer has nothing pending (ingest lag back to zero).</li>
 * </ol>
 * Prints one JSON line and writes a plot of per-tier latency over time ({@link MixedPlot}).
 */
final class MixedBench implements BenchMain.Bench {
    static final String SCHEMA = "spine_bench_mixed";
    static final String STREAM_PREFIX = "benchmix_";
    static final String SUBJECT_PREFIX = "benchmix.";
    static final String CONSUMER = "bench-mixed";
    static final String BACKGROUND_EVENT = "connector.DataReceived";
    static final String INTERACTIVE_EVENT = "ai.QueryReceived";
    static final String REALTIME_EVENT = "communication.MessageReceived";
    private static final String ROUTES = """
            routes:
              - match: connector.DataReceived
                job: SyncJob
                queue: background
              - match: ai.QueryReceived
                job: QueryJob
                queue: interactive
              - match: communication.MessageReceived
                job: RuleJob
                queue: realtime
            """;
    /** Phase indexes of {@link Samples}. */
    static final int WARMUP = 0, IDLE = 1, ALONE = 2, MIX = 3, AFTER = 4;
    static final List<String> PHASES = List.of("warmup", "idle", "alone", "mix", "after");

    @Override
    public void run(BenchEnv env) throws Exception {
        int backlog = BenchEnv.intEnv("MIXED_N", 1_000_000);
        int bgRate = BenchEnv.intEnv("MIXED_BG_RATE", 2000);
        int iaRate = BenchEnv.intEnv("MIXED_IA_RATE", 200);
        long handlerMicros = BenchEnv.intEnv("MIXED_HANDLER_US", 1000);
        int warmS = BenchEnv.intEnv("MIXED_WARMUP_S", 15);
        int idleS = BenchEnv.intEnv("MIXED_IDLE_S", 20);
        int aloneS = BenchEnv.intEnv("MIXED_ALONE_S", 10);
        int mixS = BenchEnv.intEnv("MIXED_S", 30);
        boolean lanes = BenchEnv.onUnlessFalse("MIXED_LANES");
        // MIXED_DRAIN=false: the backlog stays paused in the mix, so what is left of the realtime tail is the event
        // flood's ingest and the machine, not the background drain (a diagnosis; bg_drain_ratio then reads 0)
        boolean drain = BenchEnv.onUnlessFalse("MIXED_DRAIN");
        reset(env);
        ObjectMapper json = new ObjectMapper();
        Samples samples = new Samples();
        AtomicLong backgroundRan = new AtomicLong();
        AtomicLong backlogRan = new AtomicLong();
        AtomicLong allRan = new AtomicLong();
        Map<String, String> own = Map.of(
                "SPINE_PG_URL", env.pgUrl(), "SPINE_NATS_URL", env.natsUrl(), "SPINE_PG_SCHEMA", SCHEMA,
                "SPINE_STREAM_PREFIX", STREAM_PREFIX, "SPINE_SUBJECT_PREFIX", SUBJECT_PREFIX,
                "SPINE_CONSUMER", CONSUMER, "SPINE_HTTP_ADDR", "127.0.0.1:0", "SPINE_BUS_ENABLED", "false",
                // MIXED_LANES=false: the same run without the priority lanes, to see what they buy
                "SPINE_INGEST_PRIORITY_LANES", String.valueOf(lanes));
        // SPINE_WORKERS_BACKGROUND=2 and the like in the environment reach the service (BenchEnv.serviceVariables)
        ServiceConfig config = ServiceConfig.from(env.serviceVariables(own)::get);
        RoutingTable routes = RoutingTable.parse(ROUTES, "bench");
        try (java.sql.Connection admin = DriverManager.getConnection(env.pgUrl());
                Connection nats = env.connectNats();
                JobService service = JobService.builder(config).routes(routes).discoverHandlers(false)
                        .handler("SyncJob", job -> {
                            long t = stamp(json, job);
                            if (t > 0) {
                                samples.add(JobTier.BACKGROUND, t, job.createdAt());
                            } else {
                                backlogRan.incrementAndGet();
                            }
                            LockSupport.parkNanos(handlerMicros * 1000); // the ~1 ms of work a sync row takes
                            backgroundRan.incrementAndGet();
                            allRan.incrementAndGet();
                        })
                        .handler("QueryJob", job -> {
                            samples.add(JobTier.INTERACTIVE, stamp(json, job), job.createdAt());
                            allRan.incrementAndGet();
                        })
                        .handler("RuleJob", job -> {
                            samples.add(JobTier.REALTIME, stamp(json, job), job.createdAt());
                            allRan.incrementAndGet();
                        }).build().start()) {
            EventBus bus = service.bus();
            Pending pending = new Pending(nats.jetStreamManagement(), STREAM_PREFIX + "platform-events", CONSUMER);
            ScheduledExecutorService clock = Executors.newScheduledThreadPool(3, r -> {
                Thread t = new Thread(r, "bench-mixed-publisher");
                t.setDaemon(true);
                return t;
            });
            samples.start();
            pending.start(samples);
            Rate probe = Rate.start(clock, bus, REALTIME_EVENT, 100);
            Rate interactive = Rate.start(clock, bus, INTERACTIVE_EVENT, iaRate);

            JobsBench.progress("warm-up " + warmS + " s: the event mix without the backlog (not measured)");
            Rate background = Rate.start(clock, bus, BACKGROUND_EVENT, bgRate);
            Thread.sleep(warmS * 1000L); // phases are timed windows of a paced workload
            background.stop();
            probe.stop();
            interactive.stop();
            // the warm-up's events are ingested and run before the floor is measured
            pending.awaitZero(System.nanoTime(), TimeUnit.MINUTES.toNanos(5), 0);
            JobsBench.awaitNoJobs(admin, SCHEMA, JobTier.BACKGROUND.queueName());
            probe = Rate.start(clock, bus, REALTIME_EVENT, 100);
            interactive = Rate.start(clock, bus, INTERACTIVE_EVENT, iaRate);

            JobsBench.progress("idle " + idleS + " s: realtime probe + interactive, background idle (the floor)");
            samples.phase(IDLE);
            Thread.sleep(idleS * 1000L);

            JobsBench.progress("backlog: batch-insert " + backlog + " background jobs (paused queue)");
            probe.stop();
            interactive.stop();
            service.jobs().pause(JobTier.BACKGROUND.queueName());
            long t0 = System.nanoTime();
            insertBacklog(service, backlog);
            double insertPerS = backlog / JobsBench.seconds(t0);
            JobsBench.progress("alone " + aloneS + " s: the backlog drains alone");
            samples.phase(ALONE);
            long aloneStart = backlogRan.get();
            t0 = System.nanoTime();
            service.jobs().resume(JobTier.BACKGROUND.queueName());
            Thread.sleep(aloneS * 1000L);
            double aloneDrain = (backlogRan.get() - aloneStart) / JobsBench.seconds(t0);

            JobsBench.progress("mix " + mixS + " s: backlog + " + bgRate + "/s background + " + iaRate
                    + "/s interactive + realtime probe every 10 ms");
            samples.phase(MIX);
            if (!drain) {
                service.jobs().pause(JobTier.BACKGROUND.queueName()); // the ingest's own floor: nothing drains
            }
            CpuMeter cpu = CpuMeter.start(admin);
            long ran0 = allRan.get();
            long bg0 = backgroundRan.get();
            long backlog0 = backlogRan.get();
            probe = Rate.start(clock, bus, REALTIME_EVENT, 100);
            interactive = Rate.start(clock, bus, INTERACTIVE_EVENT, iaRate);
            background = Rate.start(clock, bus, BACKGROUND_EVENT, bgRate);
            t0 = System.nanoTime();
            Thread.sleep(mixS * 1000L);
            background.stop();
            double mixSeconds = JobsBench.seconds(t0);
            double mixDrain = (backgroundRan.get() - bg0) / mixSeconds;
            double mixBacklogDrain = (backlogRan.get() - backlog0) / mixSeconds;
            double[] cpuPerJob = cpu.perUnitMicros(Math.max(1, allRan.get() - ran0));
            boolean exhausted = backlogRan.get() >= backlog;

            JobsBench.progress("after: flood over, waiting for the consumer's pending count to reach zero");
            samples.phase(AFTER);
            long floodEnd = System.nanoTime();
            // "zero" while the probe and interactive go on: at most 100 ms of their events pending (in flight)
            double lagToZero = pending.awaitZero(floodEnd, TimeUnit.SECONDS.toNanos(120), (100 + iaRate) / 10);
            Thread.sleep(2000); // two more seconds of probes after the lag is gone
            probe.stop();
            interactive.stop();
            pending.stop();
            clock.shutdownNow();

            ObjectNode out = json.createObjectNode();
            out.put("bench", "spine-mixed");
            out.put("backlog", backlog);
            out.put("bg_rate", bgRate);
            out.put("ia_rate", iaRate);
            out.put("rt_rate", 100);
            out.put("handler_us", handlerMicros);
            out.put("mix_s", mixS);
            out.put("priority_lanes", lanes);
            out.put("drain_in_mix", drain);
            for (JobTier tier : JobTier.values()) {
                String k = tier.queueName().substring(0, 2);
                putLatencies(out, k + "_idle", samples.latencies(tier, IDLE));
                putLatencies(out, k + "_mix", samples.latencies(tier, MIX));
            }
            putLatencies(out, "re_after", samples.latencies(JobTier.REALTIME, AFTER));
            // where realtime's time went in the mix: before its job existed (NATS, the lane's consumer, its batch)
            // and after (the insert's commit, the hand-off to a handler thread)
            putPercentiles(out, "re_mix_made", samples.latencies(JobTier.REALTIME, MIX, s -> s[3]));
            putPercentiles(out, "re_mix_dispatch", samples.latencies(JobTier.REALTIME, MIX, s -> s[1] - s[3]));
            out.put("backlog_insert_per_s", Math.round(insertPerS));
            out.put("bg_drain_alone_per_s", Math.round(aloneDrain));
            out.put("bg_drain_mix_per_s", Math.round(mixDrain));
            out.put("bg_backlog_drain_mix_per_s", Math.round(mixBacklogDrain));
            out.put("bg_drain_ratio", Math.round(100.0 * mixDrain / aloneDrain) / 100.0);
            out.put("backlog_exhausted", exhausted);
            out.put("pending_max_mix", pending.max(samples, MIX));
            out.put("lag_to_zero_s", lagToZero);
            out.put("cpu_us_per_job_jvm", cpuPerJob[0]);
            out.put("cpu_us_per_job_pg", cpuPerJob[1]);
            Path plot = MixedPlot.write(resultsDir().resolve("mixed-latency.svg"), samples, pending,
                    "spine: per-tier publish→handler latency (backlog " + backlog + ", " + bgRate + "/s bg, " + iaRate
                            + "/s ia, probe 100/s)");
            out.put("plot", plot.toString());
            String csv = System.getenv("MIXED_SAMPLES_CSV");
            if (csv != null && !csv.isBlank()) {
                writeSamples(Path.of(csv), samples, pending);
            }
            System.out.println(out);
        }
        reset(env);
    }

    /**
     * Every sample, for a closer look than the plot's seconds: {@code ms,tier,phase,value,made_us} (ms since the
     * warm-up began, publish→handler start in µs, publish→the job's creation in µs: what ingest took before the
     * insert), and the consumer's pending count as tier {@code pending}.
     */
    private static void writeSamples(Path file, Samples samples, Pending pending) throws Exception {
        StringBuilder b = new StringBuilder("ms,tier,phase,value,made_us\n");
        for (JobTier tier : JobTier.values()) {
            for (long[] s : samples.snapshot(tier)) {
                b.append(s[0]).append(',').append(tier.queueName()).append(',').append(PHASES.get((int) s[2]))
                        .append(',').append(s[1]).append(',').append(s[3]).append('\n');
            }
        }
        for (long[] s : pending.series()) {
            b.append(s[0]).append(",pending,").append(PHASES.get((int) s[2])).append(',').append(s[1]).append(",\n");
        }
        Files.writeString(file, b);
    }

    /** The publish time (µs since the epoch) an event carried in {@code data.t}, or 0 for a backlog job. */
    private static long stamp(ObjectMapper json, Job job) throws Exception {
        return json.readTree(job.payloadJson()).path("data").path("t").asLong(0);
    }

    /** p50 and p99 of a part of each sample, as {@code <key>_p50_ms} and {@code <key>_p99_ms}. */
    private static void putPercentiles(ObjectNode out, String key, Latencies l) {
        out.put(key + "_p50_ms", l.percentileMillis(0.5));
        out.put(key + "_p99_ms", l.percentileMillis(0.99));
    }

    private static void putLatencies(ObjectNode out, String key, Latencies l) {
        out.put(key + "_n", l.count());
        putPercentiles(out, key, l);
        out.put(key + "_p999_ms", l.percentileMillis(0.999));
        out.put(key + "_max_ms", l.maxMillis());
    }

    /** {@code n} no-op background jobs in {@code enqueueAll} batches of 1000, as a connector sync would insert them. */
    private static void insertBacklog(JobService service, int n) {
        for (int i = 0; i < n; i += 1000) {
            List<JobRequest> batch = new ArrayList<>(1000);
            for (int j = i; j < i + 1000 && j < n; j++) {
                batch.add(JobRequest.json("SyncJob", "{\"i\":" + j + "}").queue(JobTier.BACKGROUND.queueName()));
            }
            service.jobs().enqueueAll(batch);
        }
    }

    static Path resultsDir() throws Exception {
        String f = System.getenv("BENCH_RESULTS_DIR");
        Path dir = f == null || f.isBlank() ? AllBench.repositoryRoot().resolve("bench/results") : Path.of(f);
        Files.createDirectories(dir);
        return dir;
    }

    private static void reset(BenchEnv env) throws Exception {
        SpineBench.dropSchemaAndStreams(env, SCHEMA, STREAM_PREFIX);
    }

    /**
     * Events of one type published at a fixed rate: every 10 ms the events due since the start (so a late tick
     * catches up rather than lowering the rate), each stamped with its publish time, published asynchronously.
     */
    static final class Rate {
        private final java.util.concurrent.ScheduledFuture<?> task;

        private Rate(java.util.concurrent.ScheduledFuture<?> task) {
            this.task = task;
        }

        static Rate start(ScheduledExecutorService clock, EventBus bus, String type, int perSecond) {
            long start = System.nanoTime();
            long[] sent = {0};
            return new Rate(clock.scheduleAtFixedRate(() -> {
                long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
                for (; sent[0] < due; sent[0]++) {
                    ObjectNode data = JsonNodeFactory.instance.objectNode().put("t", JobsBench.micros(Instant.now()));
                    bus.publishAsync(EventEnvelope.builder().eventType(type).source("bench").data(data).build());
                }
            }, 0, 10, TimeUnit.MILLISECONDS));
        }

        void stop() {
            task.cancel(false);
        }
    }

    /**
     * Latency samples per tier, tagged with the phase and the second (since the idle phase began) they were
     * taken in, for the percentiles and the plot.
     */
    static final class Samples {
        private final Map<JobTier, List<long[]>> byTier = new EnumMap<>(JobTier.class);
        private volatile int phase = WARMUP;
        private volatile long originNanos = System.nanoTime();
        private final long[] phaseStartMillis = new long[PHASES.size()];

        Samples() {
            for (JobTier t : JobTier.values()) {
                byTier.put(t, new ArrayList<>());
            }
        }

        void start() {
            originNanos = System.nanoTime();
        }

        void phase(int p) {
            phaseStartMillis[p] = millis();
            phase = p;
        }

        long phaseStart(int p) {
            return phaseStartMillis[p];
        }

        long millis() {
            return (System.nanoTime() - originNanos) / 1_000_000;
        }

        int phase() {
            return phase;
        }

        /** A job started now whose event was published at {@code publishedMicros} and which was made at {@code created}. */
        void add(JobTier tier, long publishedMicros, Instant created) {
            long now = JobsBench.micros(Instant.now());
            long latency = now - publishedMicros;
            long[] s = {millis(), latency, phase, JobsBench.micros(created) - publishedMicros};
            List<long[]> l = byTier.get(tier);
            synchronized (l) {
                l.add(s);
            }
        }

        /** Publish→handler start of the tier's samples in phase {@code p}. */
        Latencies latencies(JobTier tier, int p) {
            return latencies(tier, p, s -> s[1]);
        }

        /**
         * One part of each sample of the tier in phase {@code p}: publish→the job made ({@code s[3]}) or the job
         * made→handler start ({@code s[1] - s[3]}).
         */
        Latencies latencies(JobTier tier, int p, ToLongFunction<long[]> part) {
            List<long[]> l = snapshot(tier);
            Latencies out = new Latencies(l.size());
            for (long[] s : l) {
                if (s[2] == p) {
                    out.add(part.applyAsLong(s));
                }
            }
            return out;
        }

        List<long[]> snapshot(JobTier tier) {
            List<long[]> l = byTier.get(tier);
            synchronized (l) {
                return new ArrayList<>(l);
            }
        }
    }

    /**
     * The job service's consumers' pending count (not yet delivered + delivered, not acknowledged), every 100 ms:
     * the main consumer and its priority lanes ({@code <consumer>-priority-<domain>}), summed.
     */
    static final class Pending {
        /** The sampling period ({@code MIXED_PENDING_MS}, default 100). */
        static final long SAMPLE_MILLIS = BenchEnv.intEnv("MIXED_PENDING_MS", 100);
        private final JetStreamManagement jsm;
        private final String stream;
        private final String consumer;
        private final List<long[]> series = new ArrayList<>();
        private volatile boolean running = true;
        private volatile long last = -1;
        private Thread sampler;

        Pending(JetStreamManagement jsm, String stream, String consumer) {
            this.jsm = jsm;
            this.stream = stream;
            this.consumer = consumer;
        }

        void start(Samples samples) {
            sampler = new Thread(() -> {
                while (running) {
                    try {
                        last = pending();
                        synchronized (series) {
                            series.add(new long[] {samples.millis(), last, samples.phase()});
                        }
                    } catch (Exception e) {
                        // the consumer is made when ingest starts: not there yet, or a slow reply; next sample
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS)); // the sampling period
                }
            }, "bench-mixed-pending");
            sampler.setDaemon(true);
            sampler.start();
        }

        /** Seconds from {@code since} until a sample taken after it read at most {@code steady}; -1 if not within {@code timeout}. */
        double awaitZero(long since, long timeoutNanos, long steady) {
            long deadline = since + timeoutNanos;
            while (System.nanoTime() < deadline) {
                long at = System.nanoTime();
                try {
                    if (pending() <= steady) {
                        return Math.round((at - since) / 1e7) / 100.0;
                    }
                } catch (Exception e) {
                    // a slow reply under load: ask again
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling the server until it drains
            }
            return -1;
        }

        private long pending() throws Exception {
            long sum = 0;
            for (String name : jsm.getConsumerNames(stream)) {
                if (name.equals(consumer) || name.startsWith(consumer + "-priority-")) {
                    ConsumerInfo ci = jsm.getConsumerInfo(stream, name);
                    sum += ci.getNumPending() + ci.getNumAckPending();
                }
            }
            return sum;
        }

        long max(Samples samples, int phase) {
            long m = 0;
            for (long[] s : series()) {
                if (s[2] == phase) {
                    m = Math.max(m, s[1]);
                }
            }
            return m;
        }

        List<long[]> series() {
            synchronized (series) {
                return new ArrayList<>(series);
            }
        }

        void stop() {
            running = false;
        }
    }
}
