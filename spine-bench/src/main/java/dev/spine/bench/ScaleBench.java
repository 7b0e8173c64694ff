package dev.spine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.events.EventBus;
import dev.spine.contracts.EventEnvelope;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.QueueOptions;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code spine bench scale}: how the costs grow. (1) Queue depth: with 10k, 100k (and 1M when
 * SCALE_MAX=1000000) jobs already queued in spine-jobs (filled with enqueueAll batches of 10k, no worker
 * running), the cost per job of enqueueing 10k more (singly from 16 threads, and in batches of 1000) and of
 * draining 10k with the workers of JobsBench (4 threads, fetch 100, no-op handler); microseconds of wall
 * time per job. (2) Scale-out: events to jobs done with 1, 2 and 4 job-service instances in this JVM, each
 * with its own pool (8 connections) and NATS connection, sharing one durable consumer, the schema and the
 * streams, as separate processes would. Both parts start with an unreported warm-up. One JSON line.
 *
 * <p>Env: SCALE_MAX (default 100000), SCALE_EVENTS (events per instance count, default 20000).
 */
final class ScaleBench implements BenchMain.Bench {
    static final String SCHEMA = "spine_bench_scale";
    static final String SERVICE_SCHEMA = "spine_bench_scale_svc";
    static final String STREAM_PREFIX = "benchscale_";
    private static final int FILL_BATCH = 10_000;
    private static final int STEP = 10_000;
    private static final int[] LEVELS = {10_000, 100_000, 1_000_000};
    private static final int[] INSTANCES = {1, 2, 4};
    private static final String ROUTES = """
            routes:
              - match: data.EntityCreated
                job: ScaleJob
                queue: realtime
            """;

    @Override
    public void run(BenchEnv env) throws Exception {
        int max = BenchEnv.intEnv("SCALE_MAX", 100_000);
        int events = BenchEnv.intEnv("SCALE_EVENTS", 20_000);
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("bench", "scale");
        out.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        out.put("depth_method", "queued jobs filled with enqueueAll batches of 10k; at each depth: 10k single "
                + "enqueues from 16 threads, 10k enqueued in batches of 1000, 10k drained by 4 worker threads "
                + "(fetch 100, no-op handler); wall-clock microseconds per job");
        out.set("depth", queueDepth(env, max));
        out.put("instances_method", "N events published async (1000 in flight) to K JobService instances in one "
                + "JVM, each with its own 8-connection pool and NATS connection, sharing one durable consumer, "
                + "schema and streams; 4 realtime workers each; first publish to last job done, after a warm-up");
        out.put("instances_events", events);
        out.set("instances", instances(env, events));
        System.out.println(out);
    }

    private ArrayNode queueDepth(BenchEnv env, int max) throws Exception {
        ArrayNode levels = JsonNodeFactory.instance.arrayNode();
        try (HikariDataSource ds = JobsBench.pool(env.pgUrl(), JobsBench.SENDERS + 8)) {
            execute(env, "drop schema if exists " + SCHEMA + " cascade");
            JobQueue producer = JobQueue.builder(ds).schema(SCHEMA).createQueue("scale").build();
            producer.migrate();
            // Unreported: the first level would otherwise pay for class loading and JIT.
            JobsBench.progress("scale: warm-up");
            JobsBench.enqueueSingly(producer, "scale", STEP / 5);
            JobsBench.enqueueBatches(producer, "scale", STEP / 5);
            drain(ds, 2 * STEP / 5);
            long queued = 0;
            for (int level : LEVELS) {
                if (level > max) {
                    break;
                }
                JobsBench.progress("scale: fill to " + level + " queued");
                while (queued < level) {
                    int n = (int) Math.min(FILL_BATCH, level - queued);
                    List<JobRequest> batch = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        batch.add(JobRequest.of("Noop", Map.of("i", i)).queue("scale"));
                    }
                    producer.enqueueAll(batch);
                    queued += n;
                }
                ObjectNode row = levels.addObject();
                row.put("queued", queued);
                row.put("enqueue_single_us", perJobMicros(STEP, () -> JobsBench.enqueueSingly(producer, "scale", STEP)));
                row.put("enqueue_batch_us", perJobMicros(STEP, () -> JobsBench.enqueueBatches(producer, "scale", STEP)));
                queued += 2L * STEP;
                int[] drained = new int[1];
                row.put("drain_us", perJobMicros(STEP, () -> drained[0] = drain(ds, STEP)));
                queued -= drained[0];
                JobsBench.progress("scale: " + row);
            }
            producer.close();
            execute(env, "drop schema if exists " + SCHEMA + " cascade");
        }
        return levels;
    }

    /** Runs workers until {@code n} jobs ran; returns how many ran in all (batches in flight finish on close). */
    private static int drain(HikariDataSource ds, int n) throws InterruptedException {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        JobQueue workers = JobQueue.builder(ds).schema(SCHEMA)
                .handler("Noop", job -> {
                    ran.incrementAndGet();
                    done.countDown();
                })
                .work(new QueueOptions("scale", 4, 100, QueueOptions.DEFAULT_POLL_INTERVAL)).build();
        workers.start();
        boolean finished = done.await(10, TimeUnit.MINUTES);
        workers.close();
        if (!finished) {
            throw new IllegalStateException("only " + ran.get() + " of " + n + " jobs drained in 10 minutes");
        }
        return ran.get();
    }

    private ArrayNode instances(BenchEnv env, int events) throws Exception {
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        for (int k : INSTANCES) {
            resetService(env);
            AtomicInteger done = new AtomicInteger();
            List<JobService> services = new ArrayList<>();
            try {
                for (int i = 0; i < k; i++) {
                    services.add(service(env, i, done));
                }
                EventBus spine = services.get(0).bus();
                JobsBench.progress("scale: " + k + " job-service instance(s), warm-up");
                publishAndWait(spine, done, Math.max(1, events / 10));
                JobsBench.progress("scale: " + k + " job-service instance(s), " + events + " events");
                long t0 = System.nanoTime();
                publishAndWait(spine, done, events);
                ObjectNode row = rows.addObject();
                row.put("instances", k);
                row.put("event_to_done_per_s", Math.round(events / JobsBench.seconds(t0)));
                JobsBench.progress("scale: " + row);
            } finally {
                for (JobService s : services) {
                    s.close();
                }
            }
        }
        resetService(env);
        return rows;
    }

    private static JobService service(BenchEnv env, int index, AtomicInteger done) throws Exception {
        ServiceConfig config = ServiceConfig.from(env.serviceVariables(Map.of(
                "SPINE_PG_URL", env.pgUrl(), "SPINE_NATS_URL", env.natsUrl(), "SPINE_PG_SCHEMA", SERVICE_SCHEMA,
                "SPINE_PG_POOL_SIZE", "8", "SPINE_STREAM_PREFIX", STREAM_PREFIX, "SPINE_SUBJECT_PREFIX", "benchscale.",
                "SPINE_CONSUMER", "bench-scale-service", "SPINE_HTTP_ADDR", "127.0.0.1:0",
                "SPINE_WORKERS_REALTIME", "4", "SPINE_BUS_ENABLED", "false"))::get); // the job path only, as in SpineBench
        RoutingTable routes = RoutingTable.parse(ROUTES,
                "scale-" + index);
        return JobService.builder(config).routes(routes).discoverHandlers(false)
                .handler("ScaleJob", job -> done.incrementAndGet()).build().start();
    }

    /** Publishes {@code n} events (up to 1000 acks outstanding) and waits until {@code n} more jobs ran. */
    private static void publishAndWait(EventBus spine, AtomicInteger done, int n) throws InterruptedException {
        int target = done.get() + n;
        List<CompletableFuture<?>> inFlight = new ArrayList<>(1000);
        for (int i = 0; i < n; i++) {
            inFlight.add(spine.publishAsync(EventEnvelope.builder().eventType("data.EntityCreated").source("bench-scale")
                    .data(JsonNodeFactory.instance.objectNode().put("i", i)).build()));
            if (inFlight.size() >= 1000) {
                CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                inFlight.clear();
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (done.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + (done.get() - target + n) + " of " + n + " jobs ran");
            }
            Thread.sleep(1);
        }
    }

    private static void resetService(BenchEnv env) throws Exception {
        execute(env, "drop schema if exists " + SERVICE_SCHEMA + " cascade");
        try (Connection nats = env.connectNats()) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(STREAM_PREFIX)) {
                    jsm.deleteStream(name);
                }
            }
        }
    }

    private static void execute(BenchEnv env, String sql) throws Exception {
        try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static double perJobMicros(int jobs, Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return Math.round((System.nanoTime() - t0) / 1e3 / jobs * 10) / 10.0;
    }
}
