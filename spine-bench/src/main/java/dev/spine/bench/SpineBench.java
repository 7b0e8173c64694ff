package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.events.EventBus;
import dev.spine.contracts.EventEnvelope;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole spine against the workload of the Node peer (nats.js + pg-boss): N events published (async,
 * up to 1000 in flight) through the job service's consumer, micro-batched into jobs, run by workers;
 * {@code event_to_done_per_s} from the first publish to the last job done. Then publish-to-handler latency
 * at 100 events/s on a realtime route. One JSON line with the peer's keys.
 */
final class SpineBench implements BenchMain.Bench {
    static final String SCHEMA = "spine_bench_spine";
    static final String STREAM_PREFIX = "bench_";
    static final String SUBJECT_PREFIX = "bench.";
    /**
     * Single events after each warm-up round, each published once the previous one's job ran: the latency
     * path (a batch of one event, one job), right after a burst as measured. Code run once per statement (the
     * JDBC driver's) reached C2's thresholds only during the measured latency phase with 100 paced ones.
     */
    private static final int WARMUP_SINGLES = 1000;
    private static final String ROUTES = """
            routes:
              - match: data.EntityCreated
                job: BenchJob
                queue: realtime
            """;

    @Override
    public void run(BenchEnv env) throws Exception {
        int n = BenchEnv.intEnv("N", 20_000);
        int latN = BenchEnv.intEnv("LAT_N", 300);
        reset(env);
        ObjectMapper json = new ObjectMapper();
        RunCounter ran = new RunCounter();
        // a long-running service is measured warm: rounds of events until the JIT has settled (see JitClock);
        // a fixed 20k-100k events left C2 compiling through the measured phase on one of the two cores
        int round = BenchEnv.intEnv("WARMUP_ROUND", 20_000);
        // the warm-up's single events are timed too, into a sink of their own that fills up: every phase then
        // runs the same code, both ways through Latencies.add (see RunCounter)
        AtomicReference<Latencies> times = new AtomicReference<>(new Latencies(latN));
        AtomicBoolean latencyPhase = new AtomicBoolean();
        ServiceConfig config = ServiceConfig.from(env.serviceVariables(Map.of(
                "SPINE_PG_URL", env.pgUrl(), "SPINE_NATS_URL", env.natsUrl(), "SPINE_PG_SCHEMA", SCHEMA,
                "SPINE_STREAM_PREFIX", STREAM_PREFIX, "SPINE_SUBJECT_PREFIX", SUBJECT_PREFIX,
                "SPINE_CONSUMER", "bench-job-service", "SPINE_HTTP_ADDR", "127.0.0.1:0",
                // the event bus HTTP service and its event store are extras the peer has no counterpart of
                "SPINE_BUS_ENABLED", "false"))::get);
        RoutingTable routes = RoutingTable.parse(ROUTES, "bench");
        // one connection for the bench's own statements, opened before the warm-up: opening one between phases
        // (its start-up messages) deoptimised the JDBC driver's compiled result loop, recompiled mid-measurement
        try (java.sql.Connection admin = DriverManager.getConnection(env.pgUrl());
                JobService service = JobService.builder(config).routes(routes).discoverHandlers(false)
                .handler("BenchJob", job -> {
                    if (latencyPhase.get()) { // like the peer's handler: the payload is read only to time it
                        JsonNode data = json.readTree(job.payloadJson()).path("data");
                        times.get().add(JobsBench.micros(Instant.now()) - data.get("t").asLong());
                    }
                    ran.ran();
                }).build().start()) {
            EventBus spine = service.bus();
            HeapPeak heap = HeapPeak.start();
            // the latency path first (one event at a time to an idle service), then rounds of the throughput path
            // each followed by single events: code compiled during a burst, run at a low rate afterwards, was
            // deoptimised and recompiled (about 60 times in the measured latency phase, C2 a fifth of the JVM's
            // CPU there); alternating both until the JIT settles measures the service as a long-running one runs
            publishOneByOne(spine, latN, ran, latencyPhase);
            JobsBench.progress("warm-up: rounds of " + round + " events and " + WARMUP_SINGLES
                    + " single ones until the JIT settles (not measured)");
            int rounds = JitClock.warmUntilSettled(() -> {
                ran.expect(round);
                publishAll(spine, round);
                if (!ran.await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("a warm-up round's jobs did not all run");
                }
                publishOneByOne(spine, WARMUP_SINGLES, ran, latencyPhase);
                // every round, as in the jobs bench: run once, the clean-up's statements deoptimised the driver
                JobsBench.awaitNoJobs(admin, SCHEMA, null);
                JobsBench.forgetWarmUp(admin, SCHEMA);
            }, 2, BenchEnv.intEnv("WARMUP_MAX_ROUNDS", 15), 0.10);
            int warmup = latN + rounds * (round + WARMUP_SINGLES);
            JobsBench.progress("publish " + n + " events through the job service");
            CpuMeter cpu = CpuMeter.start(admin);
            long jit0 = JitClock.millis();
            ran.expect(n);
            long t0 = System.nanoTime();
            publishAll(spine, n);
            double publishPerS = n / JobsBench.seconds(t0);
            if (!ran.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the " + n + " events' jobs did not all run within 10 minutes");
            }
            double e2ePerS = n / JobsBench.seconds(t0);
            double[] e2eCpu = cpu.perUnitMicros(n);
            long jitMs = JitClock.millis() - jit0;
            long dispatched = service.metrics().counter("spine.jobs.dispatched_locally").getCount();

            // as in the jobs bench: the last jobs' outcomes are written behind their handlers; measure latency on
            // a service at rest, not beside the throughput phase's write-behind
            JobsBench.awaitNoJobs(admin, SCHEMA, null);
            JobsBench.progress("latency " + latN + " events at 100/s");
            Latencies lat = new Latencies(latN);
            times.set(lat);
            latencyPhase.set(true);
            ran.expect(latN);
            long latJit0 = JitClock.millis();
            publishPaced(spine, latN);
            ran.await(30, TimeUnit.SECONDS); // lat_n tells if some did not run
            long latJitMs = JitClock.millis() - latJit0;
            // after the latency phase, not before: new statements and a second NATS connection had the JIT
            // recompiling the driver's and the client's code through the measured phase
            JobsBench.progress("floors: " + latN + " bare JetStream publishes and one-row inserts at 100/s");
            Latencies publishFloor = Floors.publish(env, STREAM_PREFIX + "floor", latN);
            Latencies insertFloor = Floors.insert(admin, SCHEMA, latN);

            ObjectNode out = json.createObjectNode();
            out.put("bench", "spine");
            out.put("N", n);
            out.put("warmup", warmup);
            out.put("publish_per_s", Math.round(publishPerS));
            out.put("event_to_done_per_s", Math.round(e2ePerS));
            // publisher included: it runs in this JVM, as the peer's publisher runs in the peer's process
            out.put("cpu_us_per_event_jvm", e2eCpu[0]);
            out.put("cpu_us_per_event_pg", e2eCpu[1]);
            // JIT compile time inside the measured phase: near 0 when measured warm
            out.put("jit_ms", jitMs);
            // jobs inserted already claimed by an idle worker (no fetch), warm-up included
            out.put("dispatched_locally", Math.round(100.0 * dispatched / (warmup + n)) / 100.0);
            out.put("lat_n", lat.count());
            out.put("lat_p50_ms", lat.percentileMillis(0.5));
            out.put("lat_p99_ms", lat.percentileMillis(0.99));
            out.put("lat_max_ms", lat.maxMillis());
            // JIT compile time inside the latency phase: near 0 when the low-rate path was warm too
            out.put("lat_jit_ms", latJitMs);
            // the machine's floors, timed just after: the two round trips every event makes, at the same pace
            out.put("floor_publish_p50_ms", publishFloor.percentileMillis(0.5));
            out.put("floor_publish_p99_ms", publishFloor.percentileMillis(0.99));
            out.put("floor_insert_p50_ms", insertFloor.percentileMillis(0.5));
            out.put("floor_insert_p99_ms", insertFloor.percentileMillis(0.99));
            out.put("heap_used_mb", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
            out.put("heap_peak_mb", heap.stop());
            out.put("heap_max_mb", Runtime.getRuntime().maxMemory() >> 20);
            System.out.println(out);
        }
        reset(env);
    }

    /** Events through the latency path one at a time, each once the previous one's job ran; unmeasured. */
    private static void publishOneByOne(EventBus spine, int n, RunCounter ran, AtomicBoolean latencyPhase)
            throws InterruptedException {
        latencyPhase.set(true);
        for (int i = 0; i < n; i++) {
            ran.expect(1);
            spine.publish(stamped());
            if (!ran.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a single warm-up event's job did not run");
            }
        }
        latencyPhase.set(false);
    }

    /** The latency workload: {@code n} events stamped with their publish time, one every 10 ms. */
    private static void publishPaced(EventBus spine, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            spine.publish(stamped());
            Thread.sleep(10); // the 100 events/s arrival rate of the peer's workload
        }
    }

    /** A latency probe: an event stamped with the time it was published. */
    private static EventEnvelope stamped() {
        return event(JsonNodeFactory.instance.objectNode().put("t", JobsBench.micros(Instant.now())));
    }

    /** Publishes {@code n} events with up to 1000 unacknowledged, like the peer. */
    private static void publishAll(EventBus spine, int n) {
        List<CompletableFuture<?>> inFlight = new ArrayList<>(1000);
        for (int i = 0; i < n; i++) {
            inFlight.add(spine.publishAsync(event(JsonNodeFactory.instance.objectNode().put("i", i))));
            if (inFlight.size() >= 1000) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
    }

    private static EventEnvelope event(ObjectNode data) {
        return EventEnvelope.builder().eventType("data.EntityCreated").source("bench").data(data).build();
    }

    private static void reset(BenchEnv env) throws Exception {
        dropSchemaAndStreams(env, SCHEMA, STREAM_PREFIX);
    }

    /** Drops a bench's schema and every stream whose name starts with its prefix (before and after a run). */
    static void dropSchemaAndStreams(BenchEnv env, String schema, String streamPrefix) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl()); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        }
        try (Connection nats = env.connectNats()) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(streamPrefix)) {
                    jsm.deleteStream(name);
                }
            }
        }
    }
}
