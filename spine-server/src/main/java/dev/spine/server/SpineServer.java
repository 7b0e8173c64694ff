package dev.spine.server;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.contracts.ConfigException;
import dev.spine.events.EventBus;
import dev.spine.events.postgres.EventBuses;
import dev.spine.gateway.Gateway;
import dev.spine.gateway.SignedPost;
import dev.spine.jobs.JobHandler;
import dev.spine.postgres.PgPools;
import dev.spine.server.http.QueueHistory;
import dev.spine.server.http.SystemEvents;
import dev.spine.service.JobService;
import dev.spine.service.JobServiceBuilder;
import dev.spine.service.RoutingTable;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spine process: the composition root that puts the engine ({@link JobService}: events to jobs,
 * workers, cron), the event gateway ({@link Gateway}: the event bus over HTTP, when
 * {@code SPINE_BUS_ENABLED}) and the admin HTTP server (health, {@code /metrics}, dashboard, {@code /v1})
 * together. Nothing else builds them.
 *
 * <p>The event backend is {@code SPINE_EVENT_BUS}: {@code nats} (the engine makes, provisions and closes its
 * own JetStream spine from the {@code SPINE_NATS_*} settings), {@code postgres} or {@code in-memory} (made
 * here, on a pool of their own, and handed to the engine and the gateway alike).
 *
 * <p>Start order: event bus, engine, gateway, HTTP (so the API answers only once what it reports on runs).
 * {@link #close()} stops them in the reverse order: HTTP (no new requests), gateway (its consumers and
 * pool), engine (ingest hands back what it has not committed, workers finish up to the shutdown timeout),
 * then the event bus and its pool.
 */
public final class SpineServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpineServer.class);

    /** Connections of the postgres event backend's own pool. */
    static final int EVENT_BUS_POOL_SIZE = 4;

    private final ServerConfig config;
    private final JobServiceBuilder engineBuilder;
    /** The routing table given in code, else null: the engine's ({@code SPINE_ROUTES_FILE} or the defaults). */
    private final RoutingTable givenRoutes;
    private EventBus eventBus;
    private JobService engine;
    private Gateway gateway;
    private AdminServer admin;
    /** What runs, last started on top: {@link #close()} stops it from the top. */
    private final Deque<Part> running = new ArrayDeque<>();
    private boolean started;

    private SpineServer(ServerConfig config, JobServiceBuilder engineBuilder, RoutingTable givenRoutes) {
        this.config = config;
        this.engineBuilder = engineBuilder;
        this.givenRoutes = givenRoutes;
    }

    /** A server for {@code config} (usually {@link ServerConfig#fromEnvironment()}). */
    public static Builder builder(ServerConfig config) {
        return new Builder(config);
    }

    /** Starts engine, gateway and HTTP in that order; on a failure stops what started and rethrows. */
    public synchronized SpineServer start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        try {
            eventBus = eventBus();
            if (eventBus != null) {
                engineBuilder.eventBus(eventBus);
            }
            pushHandlers();
            engine = started("engine", engineBuilder.build().start());
            if (config.gateway().enabled()) {
                // the event bus over HTTP: its own pool and consumers, nothing on the event-to-job path
                gateway = started("event gateway", new Gateway(config.gateway(), engine.bus(),
                        config.engine().postgres().url(), config.engine().postgres().schema(), config.keys(),
                        engine.clock(), engine.metrics()).start());
            }
            QueueHistory history = started("queue history", QueueHistory.of(engine, config.dashboard().sampleInterval()).start());
            admin = started("admin API", new AdminServer(engine, gateway, config, history));
            admin.start();
            if (config.systemEvents().watchUncaptured()) {
                UncapturedSubjects report = new UncapturedSubjects(engine.metrics(),
                        config.engine().nats().subjectPrefix(), engine.clock());
                started("uncaptured-subject watch", engine.bus().watchUncaptured(report::seen));
            }
            if (config.systemEvents().enabled()) {
                // last started, first stopped: system.ServiceStopping goes out while everything still runs
                started("system events", new SystemEvents(engine, instance()).start(version(), configDigest(config),
                        config.systemEvents().healthInterval()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("spine server started: admin API on {}, gateway {}", admin.address(),
                gateway == null ? "off" : "on " + admin.gatewayAddress());
        return this;
    }

    /**
     * Registers a {@link PushHandler} for each job type of {@code SPINE_PUSH_HANDLERS} and of the routing file's
     * {@code pushHandlers} (a type in both must name the same URL), so this process serves
     * (claims) those types. A target the webhook rules refuse stops the start with the refusal's code; one that
     * does not resolve yet only warns (the receiver's service may start after this one), and each attempt checks
     * again. The connections' threads stop after the engine (started before it).
     */
    private void pushHandlers() {
        PushHandlerSettings push = config.push();
        // read here rather than in the engine's builder, which would read the same file: its pushHandlers count too
        RoutingTable routes = givenRoutes != null ? givenRoutes : RoutingTable.of(config.engine());
        engineBuilder.routes(routes);
        Map<String, URI> endpoints = new LinkedHashMap<>(routes.pushHandlers());
        push.endpoints().forEach((type, url) -> {
            URI inFile = endpoints.put(type, url);
            if (inFile != null && !inFile.equals(url)) {
                throw new ConfigException(PushHandlerSettings.HANDLERS, "job type " + type + " is pushed to " + url
                        + " here and to " + inFile + " by the routing file " + routes.source());
            }
        });
        if (endpoints.isEmpty()) {
            return;
        }
        PushHandlerSettings.checkSecret(push.secret(), "the routing file " + routes.source() + " names push "
                + "handlers");
        SignedPost post = started("push handler connections",
                new SignedPost(config.gateway().webhookAllow(), Clock.systemUTC()));
        ObjectMapper mapper = new ObjectMapper();
        endpoints.forEach((type, url) -> {
            String code = post.refusalCode(url);
            if ("TARGET_UNRESOLVED".equals(code)) {
                LOG.warn("push handler of {}: {}; each attempt fails until it resolves", type, post.refusal(url));
            } else if (code != null) {
                // named by the variable or by the routing file: the error names the one that said it
                String where = push.endpoints().containsKey(type) ? PushHandlerSettings.HANDLERS : "SPINE_ROUTES_FILE";
                throw new ConfigException(where, "endpoint of " + type + " refused: " + post.refusal(url));
            }
            engineBuilder.handler(type, new PushHandler(type, url, push.secret(), post, mapper));
        });
        LOG.info("push handlers: {}", endpoints);
    }

    /** This process among the spine's instances: host and process id. */
    static String instance() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** The build's version (from the jar's manifest), or {@code dev} when run from classes. */
    static String version() {
        String v = SpineServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * A short SHA-256 of the settings, so two instances can be seen to run the same configuration; variables
     * that hold secrets are left out, so the digest says nothing about them.
     */
    static String configDigest(ServerConfig config) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        new java.util.TreeMap<>(config.asVariables()).forEach((name, value) -> {
            if (!name.matches(".*(TOKEN|PASSWORD|SEED|KEY|CREDS|SECRET).*")) {
                sha.update((name + "=" + value + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    /** Records a part as running: {@link #close()} stops the parts in the reverse order of this call. */
    private <T extends AutoCloseable> T started(String name, T part) {
        running.push(new Part(name, part));
        return part;
    }

    /** The bus {@code SPINE_EVENT_BUS} names when it is not NATS (the engine makes that one itself), else null. */
    private EventBus eventBus() {
        if (config.eventBus() == EventBuses.Kind.NATS) {
            return null;
        }
        HikariDataSource pool = null;
        if (config.eventBus() == EventBuses.Kind.POSTGRES) {
            pool = started("event bus pool",
                    PgPools.create(config.engine().postgres().url(), EVENT_BUS_POOL_SIZE, "spine-event-bus"));
        }
        return started("event bus", EventBuses.fromEnvironment(config.asVariables(), pool));
    }

    /** The engine, once started. */
    public JobService engine() {
        return engine;
    }

    /** The event gateway, or null when {@code SPINE_BUS_ENABLED=false}. */
    public Gateway gateway() {
        return gateway;
    }

    public ServerConfig config() {
        return config;
    }

    /** The admin API's bound address (host:port), once started. */
    public String adminAddress() {
        return admin == null ? null : admin.address();
    }

    /** The gateway's bound address (host:port; the admin API's when they share a port), or null without a gateway. */
    public String gatewayAddress() {
        return admin == null ? null : admin.gatewayAddress();
    }

    /** The HTTP servers, once started: their routes, for tests that walk them. */
    public dev.spine.server.http.AdminApi http() {
        return admin == null ? null : admin.api();
    }

    /** Stops what started, last started first; a part that fails to stop is logged and the rest still stop. */
    @Override
    public synchronized void close() {
        while (!running.isEmpty()) {
            Part p = running.pop();
            try {
                p.closeable().close();
            } catch (Exception e) {
                LOG.warn("closing the {} failed", p.name(), e);
            }
        }
    }

    private record Part(String name, AutoCloseable closeable) {}

    /** The engine's options (handlers, routes, metrics, clock, tracing) and the server's config. */
    public static final class Builder {
        private final ServerConfig config;
        private final JobServiceBuilder engine;
        private RoutingTable routes;

        private Builder(ServerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            this.engine = JobService.builder(config.engine());
        }

        public Builder handler(String jobType, JobHandler handler) {
            engine.handler(jobType, handler);
            return this;
        }

        public Builder routes(RoutingTable routes) {
            engine.routes(routes);
            this.routes = routes;
            return this;
        }

        public Builder metrics(MetricRegistry metrics) {
            engine.metrics(metrics);
            return this;
        }

        public Builder clock(Clock clock) {
            engine.clock(clock);
            return this;
        }

        /** Whether job handler plug-ins on the class path are loaded (default true). */
        public Builder discoverHandlers(boolean discover) {
            engine.discoverHandlers(discover);
            return this;
        }

        public Builder openTelemetry(OpenTelemetry openTelemetry) {
            engine.openTelemetry(openTelemetry);
            return this;
        }

        public SpineServer build() {
            return new SpineServer(config, engine, routes);
        }
    }
}
