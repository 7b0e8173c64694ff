package dev.spine.server.demo;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.contracts.JobTier;
import dev.spine.events.EventBus;
import dev.spine.events.postgres.EventBuses;
import dev.spine.postgres.PgPools;
import dev.spine.server.ServerConfig;
import dev.spine.service.HandlerWorker;
import dev.spine.service.Telemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One of the demo's workers: the handlers of some of the demo's job types on all three tier queues, and nothing
 * else (no event ingest, no cron). It is a {@link HandlerWorker}, so it registers in the worker registry with
 * exactly its job types and claims only their jobs; its follow-up events go to the demo's event backend.
 * {@link DemoWorkers} runs it as a JVM of its own ({@link #main}), or inside the demo's process on the in-memory
 * backend, whose events cannot leave the process.
 *
 * <p>As a process it talks to the demo over stdout and stdin: {@value #READY} and a {@link Report} once it
 * works, {@value #RUNS} and a report whenever its counts changed (at most every {@link #REPORT_EVERY_MS} ms),
 * and a last one after it stopped. The end of its stdin stops it gracefully: the demo closes it when done, and
 * the operating system closes it when the demo dies, however it dies, so a worker never outlives its demo.
 */
final class DemoWorker implements AutoCloseable {
    static final String READY = "demo-worker ready ";
    static final String RUNS = "demo-worker runs ";
    static final long REPORT_EVERY_MS = 100;
    static final ObjectMapper JSON = new ObjectMapper();

    /** What a worker ran, as it tells the demo: per job type, and the realtime latencies it measured. */
    record Report(String name, long pid, UUID workerId, List<String> types, Map<String, Integer> runs,
            int faxAttempts, List<Long> realtimeLatencies) {

        /** One line of JSON, written by hand: no reflection, so it works on the module path too. */
        String toJson() {
            ObjectNode o = JSON.createObjectNode().put("name", name).put("pid", pid).put("workerId", workerId.toString())
                    .put("faxAttempts", faxAttempts);
            types.forEach(o.putArray("types")::add);
            ObjectNode r = o.putObject("runs");
            runs.forEach(r::put);
            realtimeLatencies.forEach(o.putArray("realtimeLatencies")::add);
            return o.toString();
        }

        static Report fromJson(String json) throws IOException {
            JsonNode o = JSON.readTree(json);
            List<String> types = new ArrayList<>();
            o.path("types").forEach(t -> types.add(t.asText()));
            Map<String, Integer> runs = new TreeMap<>();
            o.path("runs").properties().forEach(e -> runs.put(e.getKey(), e.getValue().asInt()));
            List<Long> latencies = new ArrayList<>();
            o.path("realtimeLatencies").forEach(l -> latencies.add(l.asLong()));
            return new Report(o.path("name").asText(), o.path("pid").asLong(), UUID.fromString(o.path("workerId").asText()),
                    types, runs, o.path("faxAttempts").asInt(), latencies);
        }
    }

    private final String name;
    private final DemoWorkload work;
    private final HandlerWorker worker;
    private final EventBus ownBus;
    private final HikariDataSource ownPool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoWorker(String name, DemoWorkload work, HandlerWorker worker, EventBus ownBus, HikariDataSource ownPool) {
        this.name = name;
        this.work = work;
        this.worker = worker;
        this.ownBus = ownBus;
        this.ownPool = ownPool;
    }

    /**
     * Starts working {@code types} on the demo's schema. {@code sharedBus}: the bus to publish follow-up events
     * on (the job service's, in-process), or null to open one on the configured backend (a worker process).
     */
    static DemoWorker start(ServerConfig server, String name, List<String> types, EventBus sharedBus) {
        DemoWorkload work = new DemoWorkload();
        var handlers = work.handlers(types);
        HikariDataSource pool = null;
        EventBus bus = sharedBus;
        try {
            if (bus == null) {
                if (server.eventBus() == EventBuses.Kind.POSTGRES) {
                    // pooled: an unpooled data source would open a connection for each follow-up event
                    pool = PgPools.create(server.engine().postgres().url(), 2, "spine-demo-worker-events");
                }
                bus = EventBuses.fromEnvironment(server.asVariables(), pool);
            }
            work.publisher(bus);
            HandlerWorker worker = HandlerWorker.start(server.engine(), handlers, EnumSet.allOf(JobTier.class),
                    new MetricRegistry());
            return new DemoWorker(name, work, worker, sharedBus == null ? bus : null, pool);
        } catch (RuntimeException e) {
            if (sharedBus == null && bus != null) {
                bus.close();
            }
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
    }

    Report report() {
        return new Report(name, ProcessHandle.current().pid(), worker.jobs().workerId(), List.copyOf(worker.jobTypes()),
                work.runCounts(), work.faxAttempts.get(), work.realtimeLatency.samples());
    }

    /** Stops claiming, finishes running jobs (up to the shutdown timeout), then closes what it opened. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            worker.close();
        } finally {
            if (ownBus != null) {
                ownBus.close();
            }
            if (ownPool != null) {
                ownPool.close();
            }
        }
    }

    /** {@code DemoWorker NAME JOB_TYPE...}, with the demo's settings in the environment; see the class comment. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: DemoWorker NAME JOB_TYPE... (started by spine demo)");
            System.exit(2);
        }
        PrintStream out = System.out;
        // the same OTEL_* variables as the demo (inherited): with an exporter set, the job runs and the follow-up
        // events of this process join the traces the job service started (the queue and the bus read the global)
        OpenTelemetry otel = Telemetry.from(System::getenv, Map.of("otel.service.name", "spine-demo-worker-" + args[0]));
        if (otel instanceof OpenTelemetrySdk) {
            GlobalOpenTelemetry.set(otel);
        }
        DemoWorker worker = start(ServerConfig.fromEnvironment(), args[0], List.of(args).subList(1, args.length), null);
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            worker.close();
            if (otel instanceof OpenTelemetrySdk sdk) {
                sdk.close(); // flushes the last spans
            }
        };
        // a SIGTERM (the demo's shutdown hook when it is interrupted) still hands running jobs back
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "demo-worker-shutdown"));
        print(out, READY, worker.report());
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-worker-report");
            t.setDaemon(true);
            return t;
        });
        var last = new Object() {
            Map<String, Integer> runs = Map.of();
        };
        reporter.scheduleWithFixedDelay(() -> {
            Report r = worker.report();
            if (!r.runs().equals(last.runs)) {
                last.runs = r.runs();
                print(out, RUNS, r);
            }
        }, REPORT_EVERY_MS, REPORT_EVERY_MS, TimeUnit.MILLISECONDS);
        while (System.in.read() != -1) {
            // nothing is sent on stdin: only its end matters
        }
        reporter.shutdownNow();
        worker.close();
        print(out, RUNS, worker.report());
        stop.run();
        System.exit(0); // client libraries may leave non-daemon threads behind
    }

    private static synchronized void print(PrintStream out, String prefix, Report report) {
        out.println(prefix + report.toJson());
        out.flush();
    }
}
