package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.NatsSettings;
import dev.spine.events.PublishResult;
import dev.spine.events.Spine;
import io.nats.client.Connection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code spine bench live}: the gateway's live feed under slow clients. The server ({@code spine serve}) runs in a
 * JVM of its own with {@code -Xmx256m}; {@code SLOW} (200) SSE clients subscribe and then read nothing (half of
 * them) or {@code TRICKLE_BYTES} a second (the other half), {@code FAST} (4) clients read everything, and the bench
 * publishes {@code RATE} (2,000) events/s for {@code SECONDS} (60 s). The claim it checks: the server's heap stays
 * under 256 MB (its GC log; it exits on an OutOfMemoryError), every slow client is disconnected as SLOW_CONSUMER
 * (the server's counter, and how each client saw its stream end), and every fast client gets every event, each
 * once, in publish order. One JSON line; {@code "ok"} is true when all of that held.
 */
final class LiveBench implements BenchMain.Bench {
    static final String SCHEMA = "spine_bench_live";
    static final String STREAM_PREFIX = "bench_live_";
    static final String SUBJECT_PREFIX = "bench_live.";
    static final int HEAP_MB = 256;
    private static final String TOKEN = "bench-live-admin";
    /** Not routed to any job by the default routes: the server's job path stays idle, the live path is measured. */
    private static final String EVENT_TYPE = "data.EntityDeleted";
    /** Events published together every tick; the rate sets the tick. */
    private static final int PER_TICK = 20;

    @Override
    public void run(BenchEnv env) throws Exception {
        int slowCount = BenchEnv.intEnv("SLOW", 200);
        int fastCount = BenchEnv.intEnv("FAST", 4);
        int rate = BenchEnv.intEnv("RATE", 2000);
        int seconds = BenchEnv.intEnv("SECONDS", 60);
        int trickleBytes = BenchEnv.intEnv("TRICKLE_BYTES", 16);
        int payloadBytes = BenchEnv.intEnv("PAYLOAD_BYTES", 200);
        int bufferBytes = BenchEnv.intEnv("LIVE_BUFFER_BYTES", 1_048_576); // the server's default
        reset(env);
        Path dir = Files.createTempDirectory("spine-bench-live");
        int port = LiveServer.freePort();
        Map<String, String> own = new java.util.HashMap<>(Map.of("SPINE_PG_URL", env.pgUrl(), "SPINE_PG_SCHEMA", SCHEMA,
                NatsSettings.STREAM_PREFIX, STREAM_PREFIX, NatsSettings.SUBJECT_PREFIX, SUBJECT_PREFIX,
                "SPINE_CONSUMER", "bench-live-job-service", "SPINE_HTTP_ADDR", "127.0.0.1:" + port,
                "SPINE_ADMIN_ADDR", "", "SPINE_ADMIN_TOKEN", TOKEN, "SPINE_BUS_ENABLED", "true"));
        own.put("SPINE_BUS_LIVE_BUFFER_BYTES", String.valueOf(bufferBytes));
        own.put("SPINE_BUS_EVENT_STORE", "false"); // the PostgreSQL copy of every event is another consumer's work
        Map<String, String> serverEnv = env.serviceVariables(own);
        ObjectMapper json = new ObjectMapper();
        JobsBench.progress("live: starting spine serve with -Xmx" + HEAP_MB + "m (log in " + dir + ")");
        try (LiveServer server = LiveServer.start(AllBench.repositoryRoot(), serverEnv, port, HEAP_MB, dir);
             Connection nats = env.connectNats()) {
            Spine spine = Spine.builder(nats).topology(NatsSettings.from(serverEnv::get).topology()).build();
            HttpResponse<String> created = server.post("/v1/subscriptions", "{\"name\":\"bench-live\",\"mode\":\"sse\","
                    + "\"eventTypes\":[\"" + EVENT_TYPE + "\"]}", TOKEN);
            if (created.statusCode() != 201) {
                throw new IllegalStateException("creating the subscription: " + created.statusCode() + " " + created.body());
            }
            JsonNode sub = json.readTree(created.body());
            String path = "/v1/subscriptions/" + sub.path("subscription").path("id").asText() + "/events";
            String secret = sub.path("secret").asText();
            URI base = URI.create(server.base());

            JobsBench.progress("live: " + fastCount + " fast and " + slowCount + " slow SSE clients subscribe");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<SseClients.Fast> fast = new ArrayList<>();
            List<SseClients.Slow> slow = new ArrayList<>();
            try {
                for (int i = 0; i < fastCount; i++) {
                    fast.add(new SseClients.Fast(http, base, path, secret, i));
                }
                for (int i = 0; i < slowCount; i++) {
                    slow.add(new SseClients.Slow(base, path, secret));
                }
                List<SseClients.Slow> trickling = slow.subList(0, slowCount / 2); // the others read nothing
                JobsBench.progress("live: publishing " + rate + " events/s for " + seconds + " s");
                AtomicBoolean publishing = new AtomicBoolean(true);
                Thread trickle = new Thread(() -> trickle(trickling, trickleBytes, publishing), "bench-trickle");
                trickle.setDaemon(true);
                trickle.start();
                long t0 = System.nanoTime();
                long[] publishOutcome = publish(spine, rate, seconds, payloadBytes);
                double publishSeconds = JobsBench.seconds(t0);
                publishing.set(false);
                trickle.join();
                long published = publishOutcome[0];

                JobsBench.progress("live: " + published + " published; waiting for the fast clients to have them all");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline && fast.stream().anyMatch(f -> f.received() < published
                        && f.failure() == null && !f.disconnected())) {
                    Thread.sleep(100); // a poll interval: the reader threads count
                }
                double slowDisconnected = server.metric("spine_bus_live_slow_consumers_total");
                long[] heap = server.heap();
                Integer exit = server.exitCode();
                JobsBench.progress("live: the slow clients read what is left, to see how their streams ended");
                Map<SseClients.Ending, Integer> endings = drain(slow);

                ObjectNode out = json.createObjectNode();
                out.put("bench", "live");
                out.put("seconds", seconds);
                out.put("rate_target", rate);
                out.put("published", published);
                out.put("publish_failed", publishOutcome[1]);
                out.put("publish_per_s", Math.round(published / publishSeconds));
                out.put("event_bytes", payloadBytes);
                out.put("fast_clients", fastCount);
                long fastMin = fast.stream().mapToLong(SseClients.Fast::received).min().orElse(0);
                long skipped = fast.stream().mapToLong(SseClients.Fast::skipped).sum();
                long duplicates = fast.stream().mapToLong(SseClients.Fast::duplicates).sum();
                long fastDropped = fast.stream().filter(f -> f.disconnected() || f.failure() != null).count();
                out.put("fast_received_min", fastMin);
                out.put("fast_skipped", skipped);
                out.put("fast_duplicates", duplicates);
                out.put("fast_disconnected", fastDropped);
                out.put("slow_clients", slowCount);
                out.put("slow_trickle_bytes_per_s", trickleBytes);
                out.put("slow_disconnected_slow_consumer", Math.round(slowDisconnected));
                out.put("slow_ended_with_reason", endings.get(SseClients.Ending.REASON));
                out.put("slow_ended_without_reason", endings.get(SseClients.Ending.CLOSED));
                out.put("slow_still_open", endings.get(SseClients.Ending.OPEN));
                out.put("heap_max_mb", HEAP_MB);
                out.put("heap_peak_mb", heap[0]); // most in use when a collection started
                out.put("heap_live_peak_mb", heap[1]); // most still in use after a collection
                out.put("gc_count", heap[2]);
                out.put("server_exit", exit == null ? "running" : String.valueOf(exit));
                out.put("live_buffer_bytes", bufferBytes);
                out.put("load_average", MachineInfo.loadAverage()); // a shared machine: what else ran beside it
                boolean ok = exit == null && heap[0] < HEAP_MB && publishOutcome[1] == 0 && fastMin == published
                        && skipped == 0 && duplicates == 0 && fastDropped == 0
                        && Math.round(slowDisconnected) == slowCount && endings.get(SseClients.Ending.OPEN) == 0;
                out.put("ok", ok);
                System.out.println(out);
            } finally {
                for (SseClients.Fast f : fast) {
                    f.close();
                }
                for (SseClients.Slow s : slow) {
                    s.close();
                }
            }
        }
        reset(env);
    }

    /**
     * {@code rate} events/s for {@code seconds}, in ticks of {@link #PER_TICK} published together, each numbered in
     * publish order; waits for every ack. Returns {published, failed}.
     */
    private static long[] publish(Spine spine, int rate, int seconds, int payloadBytes) {
        String pad = "x".repeat(Math.max(0, payloadBytes - 40));
        long total = (long) rate * seconds;
        long tickNanos = TimeUnit.SECONDS.toNanos(1) * PER_TICK / rate;
        long start = System.nanoTime();
        List<CompletableFuture<PublishResult>> inFlight = new ArrayList<>();
        long failed = 0;
        long seq = 0;
        for (long tick = 0; seq < total; tick++) {
            long due = start + tick * tickNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // the arrival rate, not synchronisation
            }
            // one after the other: publishAsync keeps the order on the connection, so the stream's order is seq's
            for (int i = 0; i < PER_TICK && seq < total; i++, seq++) {
                inFlight.add(spine.publishAsync(EventEnvelope.builder().eventType(EVENT_TYPE).source("bench-live")
                        .data(JsonNodeFactory.instance.objectNode().put(SseClients.SEQ_FIELD, seq).put("pad", pad))
                        .build()));
            }
            if (inFlight.size() >= rate) { // at most about a second of acks outstanding
                failed += settle(inFlight);
            }
        }
        failed += settle(inFlight);
        return new long[] {seq - failed, failed};
    }

    private static long settle(List<CompletableFuture<PublishResult>> acks) {
        long failed = 0;
        for (CompletableFuture<PublishResult> a : acks) {
            try {
                a.join();
            } catch (RuntimeException e) {
                failed++;
            }
        }
        acks.clear();
        return failed;
    }

    /** Every second, each trickling client reads {@code bytes}; until publishing ends. */
    private static void trickle(List<SseClients.Slow> clients, int bytes, AtomicBoolean publishing) {
        while (publishing.get()) {
            long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (SseClients.Slow c : clients) {
                try {
                    c.trickle(bytes);
                } catch (java.io.IOException e) {
                    // counted when it is drained
                }
            }
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime())); // the trickle's pace
        }
    }

    /** Drains the slow clients 16 at a time; how many ended each way. */
    private static Map<SseClients.Ending, Integer> drain(List<SseClients.Slow> slow) throws Exception {
        Map<SseClients.Ending, Integer> endings = new EnumMap<>(SseClients.Ending.class);
        for (SseClients.Ending e : SseClients.Ending.values()) {
            endings.put(e, 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<SseClients.Ending>> results = new ArrayList<>();
            for (SseClients.Slow s : slow) {
                results.add(pool.submit(() -> s.drain(Duration.ofSeconds(20))));
            }
            for (Future<SseClients.Ending> f : results) {
                endings.merge(f.get(), 1, Integer::sum);
            }
        } finally {
            pool.shutdownNow();
        }
        return endings;
    }

    private static void reset(BenchEnv env) throws Exception {
        SpineBench.dropSchemaAndStreams(env, SCHEMA, STREAM_PREFIX);
    }
}
