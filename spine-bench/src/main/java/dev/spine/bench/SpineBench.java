package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** Paced events after each warm-up round: the low-rate path run right after a burst, as measured. */
    private static final int WARMUP_PACED = 100;
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
        AtomicInteger done = new AtomicInteger();
        CountDownLatch allDone = new CountDownLatch(1);
        // a long-running service is measured warm: rounds of events until the JIT has settled (see JitClock);
        // a fixed 20k-100k events left C2 compiling through the measured phase on one of the two cores
        int round = BenchEnv.intEnv("WARMUP_ROUND", 20_000);
        java.util.concurrent.Semaphore warmRan = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.atomic.AtomicBoolean warming = new java.util.concurrent.atomic.AtomicBoolean(true);
        Latencies lat = new Latencies(latN);
        CountDownLatch latDone = new CountDownLatch(latN);
        java.util.concurrent.atomic.AtomicBoolean latencyPhase = new java.util.concurrent.atomic.AtomicBoolean();
        ServiceConfig config = ServiceConfig.from(Map.of(
                "SPINE_PG_URL", env.pgUrl(), "SPINE_NATS_URL", env.natsUrl(), "SPINE_PG_SCHEMA", SCHEMA,
                "SPINE_STREAM_PREFIX", STREAM_PREFIX, "SPINE_SUBJECT_PREFIX", SUBJECT_PREFIX,
                "SPINE_CONSUMER", "bench-job-service", "SPINE_HTTP_ADDR", "127.0.0.1:0",
                // the event bus HTTP service and its event store are extras the peer has no counterpart of
                "SPINE_BUS_ENABLED", "false")::get);
        RoutingTable routes = RoutingTable.parse(new ByteArrayInputStream(ROUTES.getBytes(StandardCharsets.UTF_8)), "bench");
        try (JobService service = JobService.builder(config).routes(routes).discoverHandlers(false)
                .handler("BenchJob", job -> {
                    if (latencyPhase.get()) { // like the peer's handler: the payload is read only to time it
                        JsonNode data = json.readTree(job.payloadJson()).path("data");
                        long micros = JobsBench.micros(Instant.now()) - data.get("t").asLong();
                        if (warming.get()) {
                            warmRan.release();
                            return;
                        }
                        lat.add(micros);
                        latDone.countDown();
                    } else if (warming.get()) {
                        warmRan.release();
                    } else if (done.incrementAndGet() == n) {
                        allDone.countDown();
                    }
                }).build().start()) {
            Spine spine = service.spine();
            HeapPeak heap = HeapPeak.start();
            // the latency path first (one event at a time to an idle service), then rounds of the throughput path
            // each followed by a short paced pass: code compiled during a burst, run at a low rate afterwards, was
            // deoptimised and recompiled (about 60 times in the measured latency phase, C2 a fifth of the JVM's
            // CPU there); alternating both until the JIT settles measures the service as a long-running one runs
            publishWarm(spine, latN, warmRan, latencyPhase);
            JobsBench.progress("warm-up: rounds of " + round + " events and " + WARMUP_PACED
                    + " paced ones until the JIT settles (not measured)");
            int rounds = JitClock.warmUntilSettled(() -> {
                publishAll(spine, round);
                if (!warmRan.tryAcquire(round, 5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("a warm-up round's jobs did not all run");
                }
                publishWarm(spine, WARMUP_PACED, warmRan, latencyPhase);
            }, 2, BenchEnv.intEnv("WARMUP_MAX_ROUNDS", 15), 0.10);
            int warmup = latN + rounds * (round + WARMUP_PACED);
            warming.set(false);
            try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl())) {
                JobsBench.awaitNoJobs(c, SCHEMA, null);
                JobsBench.forgetWarmUp(c, SCHEMA);
            }
            JobsBench.progress("publish " + n + " events through the job service");
            CpuMeter cpu = CpuMeter.start(env.pgUrl());
            long jit0 = JitClock.millis();
            long t0 = System.nanoTime();
            publishAll(spine, n);
            double publishPerS = n / JobsBench.seconds(t0);
            if (!allDone.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + done.get() + " of " + n + " jobs ran");
            }
            double e2ePerS = n / JobsBench.seconds(t0);
            double[] e2eCpu = cpu.perUnitMicros(n);
            long jitMs = JitClock.millis() - jit0;
            long dispatched = service.metrics().counter("spine.jobs.dispatched_locally").getCount();

            // as in the jobs bench: the last jobs' outcomes are written behind their handlers; measure latency on
            // a service at rest, not beside the throughput phase's write-behind
            try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl())) {
                JobsBench.awaitNoJobs(c, SCHEMA, null);
            }
            JobsBench.progress("latency " + latN + " events at 100/s");
            latencyPhase.set(true);
            long latJit0 = JitClock.millis();
            publishPaced(spine, latN);
            latDone.await(30, TimeUnit.SECONDS);
            long latJitMs = JitClock.millis() - latJit0;
            // after the latency phase, not before: new statements and a second NATS connection had the JIT
            // recompiling the driver's and the client's code through the measured phase
            JobsBench.progress("floors: " + latN + " bare JetStream publishes and one-row inserts at 100/s");
            Latencies publishFloor = Floors.publish(env.natsUrl(), STREAM_PREFIX + "floor", latN);
            Latencies insertFloor;
            try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl())) {
                insertFloor = Floors.insert(c, SCHEMA, latN);
            }

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

    /** Paced events run through the latency path, unmeasured; returns once their jobs ran. */
    private static void publishWarm(Spine spine, int n, java.util.concurrent.Semaphore ran,
            java.util.concurrent.atomic.AtomicBoolean latencyPhase) throws InterruptedException {
        latencyPhase.set(true);
        publishPaced(spine, n);
        if (!ran.tryAcquire(n, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("paced warm-up events' jobs did not all run");
        }
        latencyPhase.set(false);
    }

    /** The latency workload: {@code n} events stamped with their publish time, one every 10 ms. */
    private static void publishPaced(Spine spine, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            spine.publish(event(JsonNodeFactory.instance.objectNode().put("t", JobsBench.micros(Instant.now()))));
            Thread.sleep(10); // the 100 events/s arrival rate of the peer's workload
        }
    }

    /** Publishes {@code n} events with up to 1000 unacknowledged, like the peer. */
    private static void publishAll(Spine spine, int n) {
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
        try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl()); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
        }
        try (Connection nats = Nats.connect(env.natsUrl())) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(STREAM_PREFIX)) {
                    jsm.deleteStream(name);
                }
            }
        }
    }
}
