package dev.spine.server.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.events.Spine;
import dev.spine.events.SpineException;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.QueueStats;
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
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code spine demo}: the job service with a demo workload, against the PostgreSQL and NATS it is given,
 * in a schema and streams of its own ({@code spine_demo}, {@code demo_*}, subjects {@code demo.*}), reset at
 * start. Connector, data, communication and ai events flow through; jobs run in all three tiers; a cron job
 * fires; a failing fax handler shows retries and a dead letter; a malformed event is rejected.
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

    private final PrintStream out;
    private final ServerConfig server;
    private final ServiceConfig config;

    public Demo(ServerConfig base, PrintStream out) {
        this.out = out;
        this.server = base.with(Map.of("SPINE_PG_SCHEMA", SCHEMA, "SPINE_STREAM_PREFIX", STREAM_PREFIX,
                "SPINE_SUBJECT_PREFIX", SUBJECT_PREFIX, "SPINE_CONSUMER", "demo-job-service",
                "SPINE_HTTP_ADDR", base.httpHost() + ":0", "SPINE_ADMIN_ADDR", "", "SPINE_WORKERS_BACKGROUND", "4",
                "SPINE_CRON_POLL_INTERVAL", "200ms", "SPINE_EVENT_BUS_SCHEMA", EVENTS_SCHEMA));
        this.config = server.engine();
    }

    /** Runs the demo; returns 0 when every expectation held, 1 otherwise (the summary says which). */
    public int run() throws Exception {
        say("the job service with a demo workload on the " + server.eventBus().value() + " event backend (PostgreSQL "
                + redact(config.postgres().url()) + (onNats() ? ", NATS " + config.nats().url() : "") + ")");
        reset();
        DemoWorkload work = new DemoWorkload();
        SpineServer.Builder b = SpineServer.builder(server).routes(routes()).discoverHandlers(false);
        work.handlers().forEach(b::handler);
        long start = System.nanoTime();
        try (SpineServer process = b.build().start()) {
            JobService service = process.engine();
            EventBus bus = service.bus();
            work.publisher(bus);
            say("job service up; admin API on http://" + process.adminAddress() + "/health/ready");
            publish(bus);
            rejectOne();
            boolean burst = waitFor(() -> work.runs("RunRuleEngineJob") >= COMMUNICATION_EVENTS, work, service);
            say("burst handled; now " + STEADY_EVENTS + " communication events at 100/s to show the realtime tier's latency");
            work.realtimeLatency.clear();
            for (int i = 0; i < STEADY_EVENTS; i++) {
                bus.publish(event("communication.CallStarted", i));
                Thread.sleep(10); // a steady 100 events/s
            }
            boolean done = burst && waitFor(() -> work.runs("ProcessIncomingDataJob") >= CONNECTOR_EVENTS
                    && work.runs("IndexDocumentJob") >= CONNECTOR_EVENTS
                    && work.runs("RunRuleEngineJob") >= COMMUNICATION_EVENTS + STEADY_EVENTS
                    && work.runs("ExecuteLLMQueryJob") >= AI_EVENTS
                    && work.runs("SyncConnectorDataJob") >= 1
                    && service.jobs().deadJobs(null, "SendFaxJob", 10).size() >= FAX_EVENTS, work, service);
            return summary(done, work, service, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private void publish(EventBus bus) {
        for (int i = 0; i < CONNECTOR_EVENTS; i++) {
            bus.publishAsync(event("connector.DataReceived", i));
        }
        for (int i = 0; i < COMMUNICATION_EVENTS; i++) {
            bus.publishAsync(event("communication.MessageReceived", i));
        }
        for (int i = 0; i < AI_EVENTS; i++) {
            bus.publishAsync(event("ai.QueryReceived", i));
        }
        for (int i = 0; i < FAX_EVENTS; i++) {
            bus.publish(event("rule.SendFaxRequested", i));
        }
        say("published " + (CONNECTOR_EVENTS + COMMUNICATION_EVENTS + AI_EVENTS + FAX_EVENTS)
                + " events (connector, communication, ai, rule); each DataReceived job publishes a data.EntityCreated");
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

    private boolean waitFor(BooleanSupplier done, DemoWorkload work, JobService service) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long nextReport = 0;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() >= nextReport) {
                say(String.format("progress: data %d/%d, indexed %d, rules %d/%d, llm %d/%d, fax attempts %d, cron %d",
                        work.runs("ProcessIncomingDataJob"), CONNECTOR_EVENTS, work.runs("IndexDocumentJob"),
                        work.runs("RunRuleEngineJob"), COMMUNICATION_EVENTS, work.runs("ExecuteLLMQueryJob"), AI_EVENTS,
                        work.faxAttempts.get(), work.runs("SyncConnectorDataJob")));
                nextReport = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            }
            Thread.sleep(50); // polling the counters for the progress display
        }
        return false;
    }

    private int summary(boolean done, DemoWorkload work, JobService service, Duration took) throws Exception {
        List<DeadJob> dead = service.jobs().deadJobs(null, null, 10);
        long rejected = service.rejectedEventCount();
        say("summary after " + took.toMillis() + " ms:");
        for (QueueStats q : service.jobs().stats()) {
            say(String.format("  queue %-11s available %d, scheduled %d, running %d, dead %d", q.queue(),
                    q.available(), q.scheduled(), q.running(), q.dead()));
        }
        say("  jobs run: " + new java.util.TreeMap<>(Map.copyOf(work.runs)));
        say("  realtime (RunRuleEngineJob) event->handler latency at 100 events/s: p50 " + work.realtimeLatency.percentile(0.5)
                + " ms, p99 " + work.realtimeLatency.percentile(0.99) + " ms");
        say("  SendFaxJob: " + work.faxAttempts.get() + " attempts, " + dead.size() + " dead letters"
                + (dead.isEmpty() ? "" : ", last error: " + dead.get(0).errorsJson()));
        say("  cron ticks of sync-connector-data: " + work.runs("SyncConnectorDataJob"));
        say("  rejected events: " + rejected);
        boolean ok = done && (rejected >= 1 || !onNats());
        say(ok ? "OK: events became jobs in all three tiers, cron fired, retries ended in dead letters, the bad event was rejected"
                : "FAILED: the workload did not complete within " + DEADLINE);
        return ok ? 0 : 1;
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

    private static EventEnvelope event(String type, int n) {
        return EventEnvelope.builder().eventType(type).source(DemoWorkload.SOURCE)
                .data(JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    private void say(String line) {
        out.println("demo: " + line);
        out.flush();
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }
}
