package dev.spine.gateway;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.contracts.EventCodec;
import dev.spine.events.EventBus;
import javax.sql.DataSource;
import dev.spine.gateway.http.AccessKeys;
import dev.spine.gateway.http.BearerAuth;
import io.javalin.config.RoutesConfig;
import dev.spine.postgres.LegacyVersionTable;
import dev.spine.postgres.PgPools;
import dev.spine.postgres.PoolSettings;
import dev.spine.postgres.SchemaMigrator;
import java.time.Clock;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event bus as an HTTP service, inside the spine server: publishers and their keys, publishing with
 * receipts, the event store and its queries, subscriptions delivered by webhook (with retries and dead
 * letters) or pushed live (SSE, WebSocket). It works on the {@link EventBus} API alone, so every backend
 * (NATS, PostgreSQL, in memory) serves it. It has its own small PostgreSQL pool and its own durables, so
 * it adds no work to the event-to-job path; {@code SPINE_BUS_EVENT_STORE=false} stops the per-event copy.
 *
 * <p>Start order: pool, migrations, event-store writer, webhook dispatcher. {@link #close()} runs it
 * backwards; live clients are closed by the HTTP server before.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How often connected SSE clients get a comment line. */
    static final Duration LIVE_PING = Duration.ofSeconds(15);
    /** How often events and receipts past their retention are removed. */
    static final Duration PRUNE_INTERVAL = Duration.ofMinutes(10);
    static final String COMPONENT = "spine-bus";
    static final String MIGRATIONS = "dev/spine/gateway/migrations";

    /** Every endpoint the gateway serves, as {@code "METHOD path"} (OpenAPI path form); openapi.json documents each. */
    public static final List<String> ENDPOINTS = BusRoutes.ENDPOINTS;
    /**
     * The gateway's {@code GET} paths that need no read key: live streams (they check their subscription's secret
     * themselves). Every other read needs {@code SPINE_READ_TOKEN} or the admin token.
     */
    public static final Set<String> OPEN_READS = Set.of("/v1/subscriptions/{id}/events");

    /**
     * The gateway's part of the OpenAPI 3 document: the paths of {@link #ENDPOINTS} and the components they use.
     * The server merges it with the admin API's into the one it serves at {@code /v1/openapi.json}.
     */
    public static byte[] openApiDocument() {
        return BusRoutes.openApi();
    }

    private final GatewayConfig config;
    private final EventBus bus;
    /**
     * The platform's codec, the one the engine's bus decodes with ({@code JobService} builds it with
     * {@link EventCodec#defaults()}): an event the gateway accepts is one the engine reads.
     */
    private final EventCodec codec = EventCodec.defaults();
    private final String pgUrl;
    private final String schema;
    private final BearerAuth admin;
    private final BearerAuth reads;
    private final Clock clock;
    private final BusMetrics metrics;
    private HikariDataSource dataSource;
    private PublisherRegistry publishers;
    private EventIntake intake;
    private Receipts receipts;
    private EventStore store;
    private EventStoreWriter writer;
    private SubscriptionStore subscriptions;
    private WebhookTargets targets;
    private WebhookDispatcher dispatcher;
    private final Set<SseStream> liveClients = ConcurrentHashMap.newKeySet();
    private final LiveClients live = new LiveClients();
    private final LiveHubs hubs;
    private ScheduledExecutorService timer;
    /** Writes queued SSE frames: a thread per client that is being written to, none for idle ones. */
    private ExecutorService liveWriter;

    /**
     * @param bus        the bus the engine consumes and publishes on ({@code JobService.bus()}), any backend;
     *                   the gateway publishes, reads and subscribes through it, and does not close it
     * @param keys       the bearer tokens of mutating endpoints and of reads ({@code SPINE_ADMIN_TOKEN},
     *                   {@code SPINE_READ_TOKEN}, {@code SPINE_READ_OPEN})
     * @param metricRegistry where the bus's counters go (the job service's, exported on /metrics)
     */
    public Gateway(GatewayConfig config, EventBus bus, String pgUrl, String schema, AccessKeys keys, Clock clock,
            MetricRegistry metricRegistry) {
        this.metrics = new BusMetrics(metricRegistry);
        this.config = config;
        this.bus = bus;
        this.hubs = new LiveHubs(bus);
        this.pgUrl = pgUrl;
        this.schema = schema;
        this.admin = BearerAuth.admin(keys, metricRegistry);
        this.reads = BearerAuth.reads(keys, metricRegistry);
        this.clock = clock;
    }

    public synchronized Gateway start() {
        // the bus is often idle: hold one connection, not the whole pool, of a shared server
        dataSource = PgPools.create(PoolSettings.of(pgUrl, config.poolSize(), "spine-bus").withMinimumIdle(1));
        schemaMigrator(dataSource, schema).migrate();
        BusSql sql = new BusSql(schema);
        publishers = new PublisherRegistry(dataSource, sql, clock);
        receipts = new Receipts(dataSource, sql, clock);
        intake = new EventIntake(bus, codec, receipts, clock, config.maxEventBytes(), metrics, config.adapter());
        store = new EventStore(dataSource, sql);
        subscriptions = new SubscriptionStore(dataSource, sql);
        targets = new WebhookTargets(config.webhookAllow());
        if (config.eventStore()) {
            writer = new EventStoreWriter(bus, config.storeConsumer(), config.storeBatchSize(), store,
                    config.partitionKeys(), metrics);
            writer.start();
        }
        dispatcher = new WebhookDispatcher(bus, codec, subscriptions, new WebhookSender(targets, clock), config, clock,
                metrics, live);
        dispatcher.start();
        liveWriter = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "spine-bus-live-writer");
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spine-bus-timer");
            t.setDaemon(true);
            return t;
        });
        // a comment now and then finds SSE clients that went away without a word (and keeps proxies open)
        timer.scheduleWithFixedDelay(this::ping, LIVE_PING.toMillis(), LIVE_PING.toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::pruneQuietly, 0, PRUNE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("event bus API on: event store {}, internal webhook receivers allowed: {}",
                config.eventStore() ? "on" : "off", config.webhookAllow().toString().isEmpty() ? "none" : config.webhookAllow());
        return this;
    }

    /**
     * Removes stored events and receipts older than {@code SPINE_BUS_RETENTION}; every instance runs it, and
     * the deletes are idempotent. Returns the events removed.
     */
    long prune() throws SQLException {
        Instant cutoff = clock.instant().minus(config.retention());
        long events = store.prune(cutoff);
        long gone = receipts.prune(cutoff);
        if (events > 0 || gone > 0) {
            LOG.info("event store: pruned {} events and {} receipts older than {}", events, gone, config.retention());
        }
        return events;
    }

    private void pruneQuietly() {
        try {
            prune();
        } catch (Exception e) {
            LOG.warn("pruning the event store failed; next try in {}", PRUNE_INTERVAL, e);
        }
    }

    private void ping() {
        for (SseStream s : liveClients) {
            try {
                s.comment("ping");
            } catch (IOException e) {
                // the client went away: the stream has closed itself and left the set
            }
        }
    }

    /** Live (SSE and WebSocket) clients connected to this instance now. */
    public int liveClientCount() {
        return live.count();
    }

    /** The shared live feeds, one per subscription with new clients here. */
    LiveHubs hubs() {
        return hubs;
    }

    /** Live clients by subscription (ended when their subscription is deleted). */
    LiveClients live() {
        return live;
    }

    /** SSE clients connected to this instance (pinged). */
    Set<SseStream> liveClients() {
        return liveClients;
    }

    GatewayConfig config() {
        return config;
    }

    ExecutorService liveWriter() {
        return liveWriter;
    }

    BusMetrics metrics() {
        return metrics;
    }

    EventBus bus() {
        return bus;
    }

    EventCodec codec() {
        return codec;
    }

    Clock clock() {
        return clock;
    }

    /** The check of reads ({@code SPINE_READ_TOKEN} or the admin token), for a server that serves the routes alone. */
    public BearerAuth reads() {
        return reads;
    }

    /** The migrations of the gateway's tables (publishers, receipts, stored events, subscriptions) in {@code schema}. */
    public static SchemaMigrator schemaMigrator(DataSource dataSource, String schema) {
        return SchemaMigrator.builder(dataSource).component(COMPONENT).location(MIGRATIONS).schema(schema)
                .legacyVersionTable(LegacyVersionTable.SCHEMA_VERSION).classLoader(Gateway.class.getClassLoader())
                .build();
    }

    /**
     * Adds the gateway's routes (publish, publishers, event store, subscriptions, webhooks, SSE and WebSocket)
     * to an HTTP server; the server answers their {@link dev.spine.gateway.http.ApiException}s.
     */
    public void registerRoutes(RoutesConfig routes) {
        new BusRoutes(this).register(routes);
    }

    /** The largest request body the gateway's routes accept ({@code SPINE_BUS_MAX_EVENT_BYTES} and batches). */
    public long maxRequestBytes() {
        return BusRoutes.maxRequestBytes(config);
    }

    /** The check of mutating routes: {@code Authorization: Bearer <SPINE_ADMIN_TOKEN>}. */
    BearerAuth admin() {
        return admin;
    }

    PublisherRegistry publishers() {
        return publishers;
    }

    EventIntake intake() {
        return intake;
    }

    /** The event store, or null when {@code SPINE_BUS_EVENT_STORE=false}. */
    EventStore store() {
        return config.eventStore() ? store : null;
    }

    SubscriptionStore subscriptions() {
        return subscriptions;
    }

    WebhookTargets targets() {
        return targets;
    }

    WebhookDispatcher dispatcher() {
        return dispatcher;
    }

    /** The highest stream sequence the event store has written here (0 before the first, or when off). */
    public long storedThrough() {
        return writer == null ? 0 : writer.lastStoredSequence();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        liveClients.clear(); // the HTTP server, stopped before the bus, has closed their connections
        if (liveWriter != null) {
            liveWriter.shutdownNow();
        }
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }
}
