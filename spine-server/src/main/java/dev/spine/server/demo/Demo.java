package dev.spine.server.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.events.Spine;
import dev.spine.events.SpineException;
import dev.spine.jobs.UnservedType;
import dev.spine.jobs.WorkerInfo;
import dev.spine.events.postgres.EventBuses;
import dev.spine.server.ServerConfig;
import dev.spine.server.SpineServer;
import dev.spine.service.JobService;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code spine demo}: the job service with a demo workload, against the PostgreSQL and NATS it is given,
 * in a schema and streams of its own ({@code spine_demo}, {@code demo_*}, subjects {@code demo.*}), reset at
 * start. Connector, data, communication and ai events flow through; jobs run in all three tiers; a cron job
 * fires; a failing fax handler shows retries and a dead letter; a malformed event is rejected. The job types
 * belong to different processes: the job service runs the ai jobs itself, a connector worker process the
 * connector and data jobs, a communication worker process the rule and fax jobs, each claiming only its own;
 * nobody runs TranscribeAudioJob, whose jobs wait (attempt 0, not dead) and the summary reports unserved, as the
 * worker registry says.
 */
public final class Demo {
    static final String SCHEMA = "spine_demo";
    static final String STREAM_PREFIX = "demo_";
    static final String SUBJECT_PREFIX = "demo.";
    /** The postgres event backend's tables (SPINE_EVENT_BUS=postgres), apart from the job tables. */
    static final String EVENTS_SCHEMA = "spine_demo_events";
    static final Duration DEADLINE = Duration.ofMinutes(2);
    static final int CONNECTOR_EVENTS = 200;
    static final int COMMUNICATION_EVENTS = 100;
    static final int AI_EVENTS = 20;
    static final int FAX_EVENTS = 3;
    static final int STEADY_EVENTS = 50;
    static final int TRANSCRIPTION_EVENTS = 10;
    /** The job types the job service's own process runs. */
    static final List<String> SERVICE_TYPES = List.of("ExecuteLLMQueryJob");
    /** The connector worker process's job types. */
    static final List<String> CONNECTOR_TYPES = List.of("IndexDocumentJob", "ProcessIncomingDataJob",
            "SyncConnectorDataJob");
    /** The communication worker process's job types. */
    static final List<String> COMMUNICATION_TYPES = List.of("RunRuleEngineJob", "SendFaxJob");
    /** Routed (ai.TranscriptionRequested), but no process has its handler. */
    static final String UNSERVED_TYPE = "TranscribeAudioJob";
    static final String UNSERVED_QUEUE = "background";
    /** PostgreSQL connections of each of the demo's processes. */
    static final int DEMO_POOL_SIZE = 8;
    /** Events a second of each type while the demo keeps running ({@link #keepRunning}). */
    static final Map<String, Integer> STEADY_RATES = Map.of("connector.DataReceived", 20,
            "communication.MessageReceived", 10, "ai.QueryReceived", 2);

    private final PrintStream out;
    private final ServerConfig server;
    private final ServiceConfig config;
    private final List<UUID> transcriptions = new ArrayList<>();
    private volatile List<DemoWorker.Report> reports = List.of();
    private Duration keepRunning = Duration.ZERO;
    /** Counted down to end the keep-running phase before its time ({@link #stopKeepingRunning}). */
    private final CountDownLatch stopped = new CountDownLatch(1);

    public Demo(ServerConfig base, PrintStream out) {
        this.out = out;
        // the dashboard's reads and buttons need a key: one made up for this run unless the caller set one
        ServerConfig keyed = base.adminToken().isEmpty()
                ? base.with(Map.of("SPINE_ADMIN_TOKEN", "demo-" + UUID.randomUUID().toString().substring(0, 8)))
                : base;
        this.server = keyed.with(Map.of("SPINE_PG_SCHEMA", SCHEMA, "SPINE_STREAM_PREFIX", STREAM_PREFIX,
                "SPINE_SUBJECT_PREFIX", SUBJECT_PREFIX, "SPINE_CONSUMER", "demo-job-service",
                "SPINE_HTTP_ADDR", base.httpHost() + ":0", "SPINE_ADMIN_ADDR", "", "SPINE_WORKERS_BACKGROUND", "4",
                "SPINE_CRON_POLL_INTERVAL", "200ms", "SPINE_EVENT_BUS_SCHEMA", EVENTS_SCHEMA,
                // three processes (the job service, two workers): a few connections each is plenty for the demo's
                // load, and 24 each (the default) took a third of a default PostgreSQL's 100
                "SPINE_PG_POOL_SIZE", String.valueOf(DEMO_POOL_SIZE)));
        this.config = server.engine();
    }

    /**
     * After the summary, keeps the job service and the two workers running for {@code duration} with a steady
     * workload ({@link #STEADY_RATES}), and prints the dashboard's address and key, so its charts fill with what
     * the tiers do; zero (the default) ends with the summary.
     */
    public Demo keepRunning(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("keepRunning: a duration of zero or more, was " + duration);
        }
        this.keepRunning = duration;
        return this;
    }

    /** Ends the keep-running phase now (the workers stop, {@link #run} returns); a no-op when none is running. */
    public void stopKeepingRunning() {
        stopped.countDown();
    }

    /** Runs the demo; returns 0 when every expectation held, 1 otherwise (the summary says which). */
    public int run() throws Exception {
        say("the job service with a demo workload on the " + server.eventBus().value() + " event backend (PostgreSQL "
                + redact(config.postgres().url()) + (onNats() ? ", NATS " + config.nats().url() : "") + ")");
        reset();
        DemoWorkload work = new DemoWorkload();
        SpineServer.Builder b = SpineServer.builder(server).routes(routes()).discoverHandlers(false);
        work.handlers(SERVICE_TYPES).forEach(b::handler);
        long start = System.nanoTime();
        try (DemoWorkers workers = new DemoWorkers(server)) {
            List<DemoWorkers.Running> running = new ArrayList<>();
            if (!onInMemory()) { // now: the JVMs start while the job service does
                startWorkers(workers, null, running);
            }
            try (SpineServer process = b.build().start()) {
                return run(process.engine(), process.adminAddress(), work, workers, running, start);
            }
        }
    }

    private void startWorkers(DemoWorkers workers, EventBus inProcessBus, List<DemoWorkers.Running> running)
            throws IOException {
        running.add(workers.start("connector", CONNECTOR_TYPES, inProcessBus));
        running.add(workers.start("communication", COMMUNICATION_TYPES, inProcessBus));
        say((inProcessBus == null ? "starting two worker processes (JVMs of their own)"
                : "the in-memory backend's events cannot leave this process: two workers start inside it")
                + ": connector " + CONNECTOR_TYPES + ", communication " + COMMUNICATION_TYPES
                + "; nobody runs " + UNSERVED_TYPE);
    }

    private int run(JobService service, String adminAddress, DemoWorkload work, DemoWorkers workers,
            List<DemoWorkers.Running> running, long start) throws Exception {
        EventBus bus = service.bus();
        work.publisher(bus);
        say("job service up, running " + SERVICE_TYPES + " itself; admin API on http://" + adminAddress
                + "/health/ready");
        if (onInMemory()) {
            startWorkers(workers, bus, running);
        }
        publish(bus);
        rejectOne();
        workers.awaitStarted();
        say("workers up: " + running.stream().map(r -> r.name() + " (pid " + r.latest().pid() + ")").toList()
                + "; until then their jobs waited in the queues");
        Progress progress = new Progress(work, running, service);
        boolean burst = waitFor(() -> progress.runs("RunRuleEngineJob") >= COMMUNICATION_EVENTS, progress);
        say("burst handled; now " + STEADY_EVENTS + " communication events at 100/s to show the realtime tier's latency");
        for (int i = 0; i < STEADY_EVENTS; i++) {
            bus.publish(event("communication.CallStarted", i, true));
            Thread.sleep(10); // a steady 100 events/s
        }
        boolean done = burst && waitFor(() -> progress.runs("ProcessIncomingDataJob") >= CONNECTOR_EVENTS
                && progress.runs("IndexDocumentJob") >= CONNECTOR_EVENTS
                && progress.runs("RunRuleEngineJob") >= COMMUNICATION_EVENTS + STEADY_EVENTS
                && progress.runs("ExecuteLLMQueryJob") >= AI_EVENTS
                && progress.runs("SyncConnectorDataJob") >= 1
                && service.jobs().deadJobs(null, "SendFaxJob", 10).size() >= FAX_EVENTS
                && progress.unservedWaiting() >= TRANSCRIPTION_EVENTS, progress);
        // read while the workers still heartbeat: the registry is what says who serves what
        List<WorkerInfo> registry = service.jobs().workers().stream().filter(WorkerInfo::live).toList();
        List<UnservedType> unserved = service.jobs().unservedTypes();
        reports = workers.stopAll();
        say("workers stopped");
        int exit = new DemoSummary(this::say, server.eventBus(), service, transcriptions).print(done, work, reports,
                registry, unserved, Duration.ofNanos(System.nanoTime() - start));
        if (!keepRunning.isZero()) {
            keepRunning(service, adminAddress, workers);
        }
        return exit;
    }

    /** The steady workload for {@link #keepRunning}, with the two workers started again (the summary stopped them). */
    private void keepRunning(JobService service, String adminAddress, DemoWorkers workers) throws Exception {
        List<DemoWorkers.Running> running = new ArrayList<>();
        startWorkers(workers, onInMemory() ? service.bus() : null, running);
        workers.awaitStarted();
        say("dashboard: http://" + adminAddress + "/ (key: " + server.adminToken() + "); keeping the workload "
                + "running for " + keepRunning.toSeconds() + " s: " + STEADY_RATES + " events/s (Ctrl-C ends it)");
        long tickNanos = Duration.ofMillis(100).toNanos();
        long start = System.nanoTime();
        long end = start + keepRunning.toNanos();
        Map<String, Integer> sent = new java.util.HashMap<>();
        for (long now = start; now < end; now = System.nanoTime()) {
            double seconds = (now - start) / 1e9;
            for (Map.Entry<String, Integer> rate : STEADY_RATES.entrySet()) {
                int from = sent.getOrDefault(rate.getKey(), 0);
                int due = (int) (seconds * rate.getValue());
                for (int n = from; n < due; n++) {
                    service.bus().publishAsync(event(rate.getKey(), n, false));
                }
                sent.put(rate.getKey(), Math.max(from, due));
            }
            long pause = Math.max(1, (tickNanos - (System.nanoTime() - now)) / 1_000_000); // the arrival rate
            if (stopped.await(pause, TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        workers.stopAll();
        say("stopped after " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s: " + sent
                + " events published");
    }

    /** The last run's worker reports (what each worker process ran), for the test. */
    List<DemoWorker.Report> workerReports() {
        return reports;
    }

    private void publish(EventBus bus) {
        for (int i = 0; i < CONNECTOR_EVENTS; i++) {
            bus.publishAsync(event("connector.DataReceived", i, false));
        }
        for (int i = 0; i < COMMUNICATION_EVENTS; i++) {
            bus.publishAsync(event("communication.MessageReceived", i, false));
        }
        for (int i = 0; i < AI_EVENTS; i++) {
            bus.publishAsync(event("ai.QueryReceived", i, false));
        }
        for (int i = 0; i < FAX_EVENTS; i++) {
            bus.publish(event("rule.SendFaxRequested", i, false));
        }
        for (int i = 0; i < TRANSCRIPTION_EVENTS; i++) {
            EventEnvelope e = event("ai.TranscriptionRequested", i, false);
            transcriptions.add(e.correlationId());
            bus.publish(e);
        }
        say("published " + (CONNECTOR_EVENTS + COMMUNICATION_EVENTS + AI_EVENTS + FAX_EVENTS + TRANSCRIPTION_EVENTS)
                + " events (connector, communication, ai, rule); each DataReceived job publishes a data.EntityCreated");
    }

    private boolean onInMemory() {
        return server.eventBus() == EventBuses.Kind.IN_MEMORY;
    }

    private boolean onNats() {
        return server.eventBus() == EventBuses.Kind.NATS;
    }

    private void rejectOne() {
        if (!onNats()) {
            say("the " + server.eventBus().value() + " backend takes only validated events: no malformed one to reject");
            return;
        }
        // what a broken client would send: no validation, no headers (publishUnchecked), on the demo's subject
        try (Spine raw = ownSpine("spine-demo-malformed")) {
            raw.publishUnchecked("data.EntityCreated",
                    "{\"eventType\": \"data.EntityCreated\", \"data\": \"truncated".getBytes(StandardCharsets.UTF_8));
        }
        say("published one malformed event without validation (it must land in rejected events)");
    }

    /** A spine of the demo's own on the demo's streams, apart from the job service's. */
    private Spine ownSpine(String connectionName) {
        return Spine.builder(config.nats().connections(), connectionName).topology(config.topology()).build();
    }

    private boolean waitFor(BooleanSupplier done, Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long nextReport = 0;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= nextReport) {
                say(String.format("progress: data %d/%d, indexed %d, rules %d/%d, llm %d/%d, fax dead %d, cron %d,"
                        + " transcriptions waiting unserved %d", progress.runs("ProcessIncomingDataJob"),
                        CONNECTOR_EVENTS, progress.runs("IndexDocumentJob"), progress.runs("RunRuleEngineJob"),
                        COMMUNICATION_EVENTS, progress.runs("ExecuteLLMQueryJob"), AI_EVENTS,
                        progress.service.jobs().deadJobs(null, "SendFaxJob", 10).size(),
                        progress.runs("SyncConnectorDataJob"), progress.unservedWaiting()));
                nextReport = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            }
            Thread.sleep(50); // polling the counters for the progress display
        }
        return false;
    }

    /** What ran so far, in whichever process: the job service's own counts and the workers' latest reports. */
    private record Progress(DemoWorkload own, List<DemoWorkers.Running> workers, JobService service) {
        int runs(String type) {
            int n = own.runs(type);
            for (DemoWorkers.Running w : workers) {
                DemoWorker.Report r = w.latest();
                n += r == null ? 0 : r.runs().getOrDefault(type, 0);
            }
            return n;
        }

        long unservedWaiting() {
            return service.jobs().unservedTypes().stream().filter(u -> u.type().equals(UNSERVED_TYPE))
                    .mapToLong(UnservedType::waiting).sum();
        }
    }

    /** Drops the demo's schemas and (on NATS) streams, so each run starts empty. */
    private void reset() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.postgres().url());
                Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("drop schema if exists " + EVENTS_SCHEMA + " cascade");
        }
        if (!onNats()) {
            return;
        }
        try (Spine admin = ownSpine("spine-demo-reset")) {
            admin.deleteStreams(); // the topology's streams: all prefixed demo_
        } catch (SpineException e) {
            throw new IllegalStateException("cannot reset the demo streams on " + config.nats().url() + ": " + e.getMessage(), e);
        }
    }

    private static RoutingTable routes() throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("/dev/spine/server/demo-routes.yaml")) {
            return RoutingTable.parse(in, "demo-routes.yaml");
        }
    }

    private static EventEnvelope event(String type, int n, boolean steady) {
        var data = JsonNodeFactory.instance.objectNode().put("n", n);
        if (steady) {
            data.put(DemoWorkload.STEADY, true);
        }
        return EventEnvelope.builder().eventType(type).source(DemoWorkload.SOURCE).data(data).build();
    }

    private void say(String line) {
        out.println("demo: " + line);
        out.flush();
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }
}
