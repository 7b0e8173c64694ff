package dev.spine.service;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.JobTier;
import dev.spine.events.EventBus;
import dev.spine.events.ReplayOptions;
import dev.spine.events.Spine;
import dev.spine.jobs.JobHandler;

import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobQueueBuilder;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.QueueOptions;
import dev.spine.postgres.LegacyVersionTable;
import dev.spine.postgres.PgPools;
import dev.spine.postgres.SchemaMigrator;
import dev.spine.service.internal.Breakers;
import dev.spine.service.internal.EventIngest;
import dev.spine.service.internal.IngestMetrics;
import dev.spine.service.internal.IngestTracing;
import dev.spine.service.internal.LatencyObjectives;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.concurrent.TimeUnit;
import dev.spine.service.internal.LifecycleEvents;
import dev.spine.service.internal.Materializer;
import dev.spine.service.internal.RejectedEvents;
import dev.spine.service.internal.Replayer;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service: consumes the platform's events, turns each into one job per matching route (exactly
 * once: one transaction per micro-batch, idempotency key {@code <eventId>:<jobType>}, ack after commit),
 * runs the jobs with the registered handlers on per-tier worker pools and fires cron schedules. It serves no
 * HTTP: the server ({@code spine-server}) puts the admin API and the event gateway beside it.
 *
 * <p>Start order: PostgreSQL (migrations), NATS (streams), job workers and cron, event ingest.
 * {@link #close()} runs it backwards: ingest (stop pulling, finish the batch in hand, hand back
 * the rest), workers (finish jobs up to the shutdown timeout), publisher, connections.
 */
public final class JobService implements AutoCloseable {
    /**
     * Prefix of the ingest consumer's lag gauge, {@code spine.events.consumer.<durable>}, whose value is a
     * {@link dev.spine.events.ConsumerStats} read from the bus when scraped (at most every 5 s); the server
     * exports it as {@code spine_events_consumer_pending{stream,consumer}} and
     * {@code spine_events_consumer_unacknowledged{stream,consumer}}.
     */
    public static final String CONSUMER_LAG_GAUGE = "spine.events.consumer.";
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    static final String COMPONENT = "spine-job-service";
    static final String PLUGINS_DIR = "SPINE_PLUGINS_DIR";
    static final String MIGRATIONS = "dev/spine/service/migrations";
    static final List<String> LIFECYCLE_TYPES = List.of("job.Enqueued", "job.Completed", "job.Failed");

    private final ServiceConfig config;
    private final RoutingTable routes;
    private final MetricRegistry metrics;
    private final Map<String, JobHandler> handlers;
    private final boolean discoverHandlers;
    private final Clock clock;
    private final OpenTelemetry otel;
    private final boolean ownsTelemetry;
    private HikariDataSource dataSource;
    /** The bus handed in by the builder, or null: the service then makes (and closes) its own NATS spine. */
    private final EventBus givenBus;
    private EventBus bus;
    private JobQueue jobs;
    private RejectedEvents rejected;
    private Materializer materializer;
    private EventIngest ingest;
    /**
     * A priority lane's pull size: its pull is renewed every 64 events, so at the tens of events per second a
     * latency tier sees it rarely runs to its 1 s expiry, where nats-server before 2.9.15 may end it without a
     * word and the lane pulls again only 50 ms later (through jnats' consume() it waited 1.5 s for the heartbeat
     * alarm: realtime stalled for 2 s several times a minute in the mixed benchmark). Bursts still flow: up to
     * 64 events per round trip.
     */
    static final int LANE_PULL_SIZE = 64;
    /**
     * Subscriptions per priority lane (one durable, competing): each commits its own batches, so a batch whose
     * commit waits behind a slow WAL flush no longer holds back the events that arrived after it. In the mixed
     * benchmark one consumer per lane left publish→job-made p99 at 110 ms (events queued behind such a commit);
     * three took it to 85 ms and realtime publish→start p99 from ~125 to 94 ms.
     */
    static final int LANE_CONSUMERS = 3;
    /** The priority lanes' consumers (see {@link IngestSettings#PRIORITY_LANES}), started after the main one. */
    private final List<EventIngest> lanes = new java.util.ArrayList<>();
    private Breakers breakers;
    private LifecycleEvents lifecycle;
    private LatencyObjectives objectives;
    private boolean started;

    JobService(ServiceConfig config, RoutingTable routes, MetricRegistry metrics, Map<String, JobHandler> handlers,
            boolean discoverHandlers, Clock clock, OpenTelemetry otel, boolean ownsTelemetry, EventBus givenBus) {
        this.givenBus = givenBus;
        this.otel = otel;
        this.ownsTelemetry = ownsTelemetry;
        this.config = config;
        this.routes = routes;
        this.metrics = metrics;
        this.handlers = handlers;
        this.discoverHandlers = discoverHandlers;
        this.clock = clock;
    }

    /** The migrations of the engine's own tables (rejected events) in {@code schema}; the job tables are spine-jobs'. */
    public static SchemaMigrator schemaMigrator(DataSource dataSource, String schema) {
        return SchemaMigrator.builder(dataSource).component(COMPONENT).location(MIGRATIONS).schema(schema)
                .legacyVersionTable(LegacyVersionTable.SCHEMA_VERSION).classLoader(JobService.class.getClassLoader())
                .build();
    }

    public static JobServiceBuilder builder(ServiceConfig config) {
        return new JobServiceBuilder(config);
    }

    /** Connects, migrates, provisions and starts everything; fails fast with the reason. */
    public synchronized JobService start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        try {
            startServices();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void startServices() {
        dataSource = dataSource(config);
        EventCodec codec = EventCodec.defaults();
        bus = givenBus != null ? givenBus : natsSpine(codec);
        breakers = new Breakers(config.workers().breakerFailureThreshold(), config.workers().breakerOpenFor());
        lifecycle = config.lifecycleEvents() ? new LifecycleEvents(bus) : null;
        if (discoverHandlers) {
            discoveredHandlers(config.pluginsDir(), new HandlerContext(bus, metrics)).forEach(handlers::putIfAbsent);
        }
        objectives = new LatencyObjectives(metrics, clock);
        jobs = jobQueue();
        jobs.migrate();
        schemaMigrator(dataSource, config.postgres().schema()).migrate();
        rejected = new RejectedEvents(dataSource, config.postgres().schema());
        IngestMetrics ingestMetrics = new IngestMetrics(metrics); // one set of meters for the main consumer
        materializer = new Materializer(dataSource, jobs, codec, routes, rejected, ingestMetrics, clock,
                new IngestTracing(otel, config.ingest().consumer(), bus.messagingSystem()), config.ingest().adapter());
        warnAboutMissingHandlers();
        jobs.start();
        IngestSettings in = config.ingest();
        ingest = new EventIngest(bus, new EventIngest.Settings(in.consumer(), in.batchSize(), in.linger(),
                in.maxAckPending(), in.ackWait(), config.workers().shutdownTimeout()), materializer,
                ingestMetrics, this::afterBatch);
        ingest.start();
        if (in.priorityLanes()) {
            startPriorityLanes(codec, in);
        }
        ingestMetrics.watchConsumer(bus, in.consumer());
        LOG.info("job service started: routes from {}, {} handlers", routes.source(), handlers.size());
    }

    /**
     * One durable consumer per domain that has routes to a tier with a latency target, filtered to that domain
     * and making only those routes' jobs, in batches of its own: a realtime event is committed while the main
     * consumer is still inserting a background batch of hundreds ahead of it (the mixed benchmark measured
     * realtime publish→handler p99 of hundreds of ms queued so). One filter subject per consumer, so it runs on
     * nats-server 2.9 too; new events only, since the main consumer covers whatever came before.
     */
    private void startPriorityLanes(EventCodec codec, IngestSettings in) {
        Set<String> domains = new java.util.TreeSet<>();
        for (Route r : routes.routes()) {
            if (isLatencyTier(r.queue())) {
                String domain = domainOf(r);
                if (domain == null) {
                    LOG.info("no priority lane for the route of {} (line {}): its patterns are not of one named domain; "
                            + "the main consumer ingests it", r.jobType(), r.line());
                } else {
                    domains.add(domain);
                }
            }
        }
        // a route is a lane's when it goes to a latency tier and all its patterns name that lane's domain
        Predicate<Route> owned = r -> {
            String domain = isLatencyTier(r.queue()) ? domainOf(r) : null;
            return domain != null && domains.contains(domain);
        };
        for (String domain : domains) {
            Materializer lane = new Materializer(dataSource, jobs, codec, routes, rejected,
                    new IngestMetrics(new MetricRegistry()), clock,
                    new IngestTracing(otel, in.consumer(), bus.messagingSystem()), in.adapter()).lane(owned);
            // the same batch bound: at a low rate a batch is the few events there (no wait), and a burst of
            // realtime events is inserted in batches as large as the main consumer's; the pull is renewed by
            // count (LANE_PULL_SIZE)
            for (int i = 0; i < LANE_CONSUMERS; i++) {
                EventIngest consumer = new EventIngest(bus, new EventIngest.Settings(in.consumer() + "-priority-"
                        + domain, in.batchSize(), in.linger(), in.maxAckPending(), in.ackWait(),
                        config.workers().shutdownTimeout(), List.of(domain + ".*"), true, LANE_PULL_SIZE), lane,
                        new IngestMetrics(new MetricRegistry()), this::afterBatch);
                consumer.start();
                lanes.add(consumer);
            }
        }
        if (!lanes.isEmpty()) {
            // read after the lanes' consumers exist (they take every event stored from their creation on): the
            // events up to here may have been stored before, so the main consumer still makes their jobs too
            long before = bus.lastSequence();
            materializer.lanesOwn(owned, before);
        }
    }

    /** The domain every pattern of {@code r} names, or null when they differ or one is a wildcard. */
    private static String domainOf(Route r) {
        String domain = null;
        for (String p : r.patterns()) {
            String d = p.substring(0, p.indexOf('.'));
            if (d.contains("*") || (domain != null && !domain.equals(d))) {
                return null;
            }
            domain = d;
        }
        return domain;
    }

    private static boolean isLatencyTier(String queue) {
        for (JobTier t : JobTier.values()) {
            if (t.queueName().equals(queue)) {
                return t.hasLatencyTarget();
            }
        }
        return false;
    }

    private JobQueue jobQueue() {
        JobQueueBuilder b = queueBuilder(config, dataSource, metrics).clock(clock).openTelemetry(otel)
                .cronPollInterval(config.workers().cronPollInterval());
        Set<String> tiers = new LinkedHashSet<>();
        for (JobTier tier : JobTier.values()) {
            // the service makes its tier queues itself: a new tier is an enum constant and its worker count
            b.createQueue(tier.queueName()).work(tier(tier.queueName(), config.workers(tier)));
            tiers.add(tier.queueName());
        }
        Set<String> custom = new LinkedHashSet<>();
        routes.routes().forEach(r -> custom.add(r.queue()));
        routes.schedules().forEach(s -> custom.add(s.job().queue()));
        custom.removeAll(tiers);
        custom.forEach(b::createQueue);
        handlers.forEach((type, h) -> b.handler(type, objectives.timed(breakers.wrap(type, h))));
        routes.schedules().forEach(b::schedule);
        if (lifecycle != null) {
            b.listener(lifecycle);
        }
        return b.build();
    }

    /** A queue on the engine's schema with its shutdown, heartbeat and rescue settings (the service, worker processes). */
    static JobQueueBuilder queueBuilder(ServiceConfig config, DataSource dataSource, MetricRegistry metrics) {
        return JobQueue.builder(dataSource).schema(config.postgres().schema()).metrics(metrics)
                .notifyInTransaction(false).shutdownTimeout(config.workers().shutdownTimeout())
                .staleAfter(config.workers().staleAfter()).heartbeatInterval(config.workers().staleAfter().dividedBy(6))
                .vacuumHotTable(config.workers().vacuumHotTable());
    }

    /**
     * A tier's worker with room for two whole ingest batches of directly dispatched jobs (the next batch fits
     * while the last one's jobs still run), so a steady stream of events never spills into the table and
     * switches the worker to fetching.
     */
    private QueueOptions tier(String name, int workers) {
        return QueueOptions.of(name, workers).dispatchRoom(2 * config.ingest().batchSize());
    }

    private void afterBatch(Materializer.Result result) {
        if (lifecycle == null) {
            return;
        }
        for (int i = 0; i < result.jobs().size(); i++) {
            if (result.jobs().get(i).created()) {
                JobRequest r = result.requests().get(i);
                lifecycle.enqueued(result.jobs().get(i).id(), r.type(), r.queue(), result.causes().get(i));
            }
        }
    }

    /**
     * Reads a window of the platform stream and materialises it like live events: the same routes and keys,
     * so events whose jobs exist create nothing (replaying twice creates nothing new). Durable consumers are
     * not touched.
     */
    public ReplayReport replay(ReplayOptions options) throws SQLException {
        return Replayer.replay(bus, materializer, config.ingest().batchSize(), options, this::afterBatch);
    }

    private void warnAboutMissingHandlers() {
        Set<String> routed = new LinkedHashSet<>();
        routes.routes().forEach(r -> routed.add(r.jobType()));
        routes.schedules().forEach(s -> routed.add(s.job().type()));
        routed.removeAll(handlers.keySet());
        if (!routed.isEmpty()) {
            LOG.warn("no handler in this process for routed job types {}: this process never claims their jobs, "
                    + "which wait (unserved) until a process with the handler runs; register them here (in code or "
                    + "via ServiceLoader) or run them in a worker process of their own", routed);
        }
    }

    private static HikariDataSource dataSource(ServiceConfig config) {
        return PgPools.create(config.postgres().url(), config.postgres().poolSize(), "spine-job-service");
    }

    /**
     * The default bus: NATS JetStream with the SPINE_NATS_* servers, authentication and TLS (reconnecting
     * forever), the configured prefixes and replicas, its streams provisioned.
     */
    private Spine natsSpine(EventCodec codec) {
        Spine spine = Spine.builder(config.nats().connections(), "spine-job-service").topology(config.topology())
                .codec(codec).metricRegistry(metrics).openTelemetry(otel).build();
        spine.provision();
        return spine;
    }

    /** The handlers found by {@link java.util.ServiceLoader} on the class path and in {@code pluginsDir}'s jars (or null). */
    static Map<String, JobHandler> discoveredHandlers(Path pluginsDir, HandlerContext context) {
        List<Path> jars = pluginsDir == null ? List.of() : Plugins.jarsIn(pluginsDir, PLUGINS_DIR);
        Map<String, JobHandler> found = Plugins.handlers(Plugins.classLoader(jars, PLUGINS_DIR), false, context,
                PLUGINS_DIR);
        if (!jars.isEmpty()) {
            LOG.info("handler plug-ins from {} ({} jars): {}", pluginsDir, jars.size(), found.keySet());
        }
        return found;
    }

    public JobQueue jobs() {
        return jobs;
    }

    /**
     * The event bus the engine consumes and publishes on (whichever {@code SPINE_EVENT_BUS} backend): what the
     * gateway, the admin API and the command line read and publish through.
     */
    public EventBus bus() {
        return bus;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The clock every decision of this service reads (a settable one in tests). */
    public Clock clock() {
        return clock;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    public RoutingTable routes() {
        return routes;
    }

    public ServiceConfig config() {
        return config;
    }

    /** Each job type's circuit breaker state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}), by job type. */
    public Map<String, String> breakerStates() {
        return breakers.states();
    }

    /** Rejected events, newest first, with ids below {@code beforeId}. */
    public List<RejectedEvent> rejectedEvents(long beforeId, int limit) throws SQLException {
        return rejected.list(beforeId, limit);
    }

    /**
     * Rejected events of the job schema {@code schema}, newest first, ids below {@code beforeId}, read without a
     * running service (the CLI).
     */
    public static List<RejectedEvent> rejectedEvents(DataSource dataSource, String schema, long beforeId, int limit)
            throws SQLException {
        return new RejectedEvents(dataSource, schema).list(beforeId, limit);
    }

    /** How many events are in the rejected-events table. */
    public long rejectedEventCount() throws SQLException {
        return rejected.count();
    }

    /** Whether the last micro-batch committed (false while PostgreSQL fails). */
    public boolean ingestHealthy() {
        return ingest != null && ingest.healthy();
    }

    /** The per-tier start-latency objectives, met or breached. */
    public Map<String, LatencyObjective> latencyObjectives() {
        return objectives == null ? Map.of() : objectives.all();
    }

    /** Why ingest is not healthy (the last batch's error), or null. */
    public String ingestLastError() {
        return ingest == null ? "not started" : ingest.lastError();
    }

    /** Test seam: runs between commit and ack of every batch. */
    void commitHook(Materializer.CommitHook hook) {
        materializer.hook(hook);
    }

    @Override
    public synchronized void close() {
        lanes.forEach(EventIngest::close);
        if (ingest != null) {
            ingest.close();
            metrics.remove(CONSUMER_LAG_GAUGE + config.ingest().consumer()); // it reads the bus closed next
        }
        closeQuietly("job queue", jobs);
        if (givenBus == null) {
            closeQuietly("event bus", bus); // an injected bus belongs to whoever made it
        }
        closeQuietly("database pool", dataSource);
        if (ownsTelemetry && otel instanceof OpenTelemetrySdk sdk) {
            sdk.shutdown().join(5, TimeUnit.SECONDS); // flushes the spans still batched
        }
        LOG.info("job service stopped");
    }

    private static void closeQuietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed", what, e);
        }
    }

}
