package dev.spine.server.http;

import dev.spine.events.postgres.OutboxDeadLetters;
import dev.spine.gateway.Gateway;
import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.ReadGuard;
import dev.spine.server.HttpSettings;
import dev.spine.server.ServerConfig;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spine's HTTP servers: the admin API (health, {@code /metrics}, dashboard, {@code /v1} jobs, queues,
 * rejected events, replay, outbox dead letters) and the gateway's routes (when the gateway runs). With
 * {@code SPINE_ADMIN_ADDR} empty both are one server on {@code SPINE_HTTP_ADDR}; with an address of its own the
 * admin API listens there and {@code SPINE_HTTP_ADDR} serves only the gateway (and health, for load balancers),
 * so only the gateway's port need be exposed.
 *
 * <p>Reads: every {@code GET} needs {@code SPINE_READ_TOKEN} or the admin token ({@link ReadGuard}) except
 * {@link #OPEN_READS} and {@link Gateway#OPEN_READS}; mutating calls need the admin token.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    /** The largest request body of the admin routes (replay requests are tiny). */
    static final long MAX_REQUEST_BYTES = 64 * 1024;
    /** The admin server's {@code GET} paths that need no key: probes, scrapes and the dashboard's static files. */
    public static final Set<String> OPEN_READS = Set.of("/health/live", "/health/ready", "/health/broker",
            "/health/database", "/metrics", "/", "/dashboard/{file}", "/v1/openapi.json", "/v1/docs",
            "/v1/docs/{file}");

    private final JobService service;
    private final Gateway gateway;
    private final ServerConfig config;
    private final HealthChecks health;
    private final BearerAuth admin;
    private final ReadGuard reads;
    private final OpenApiRoutes openApi = new OpenApiRoutes();
    private final QueueHistory history;
    private ApiServer adminServer;
    private ApiServer gatewayServer;

    /**
     * The routes of {@code service}, and of {@code gateway} when it is not null, under {@code config}'s keys;
     * {@code history} (started and closed by the caller) feeds the dashboard's charts.
     */
    public AdminApi(JobService service, Gateway gateway, ServerConfig config, QueueHistory history) {
        this.history = history;
        this.service = service;
        this.gateway = gateway;
        this.config = config;
        this.health = new HealthChecks(service);
        this.admin = BearerAuth.admin(config.keys(), service.metrics());
        Set<String> open = new HashSet<>(OPEN_READS);
        open.addAll(Gateway.OPEN_READS);
        this.reads = new ReadGuard(BearerAuth.reads(config.keys(), service.metrics()), open);
    }

    /** Binds the addresses of {@link ServerConfig#http()} (port 0: any free port) and serves until {@link #close()}. */
    public void start() {
        HttpSettings http = config.http();
        if (!config.keys().readable()) {
            LOG.warn("no SPINE_READ_TOKEN and no SPINE_ADMIN_TOKEN: every read of the API (jobs, events, dead letters, "
                    + "dashboard data) is refused; set one, or SPINE_READ_OPEN=true on a development machine");
        }
        try {
            if (!http.separateAdmin()) {
                adminServer = server("admin API", http.httpAddr(), routes -> {
                    adminRoutes(routes);
                    gatewayRoutes(routes);
                });
                adminServer.start("SPINE_HTTP_ADDR");
                return;
            }
            adminServer = server("admin API", http.adminAddr(), this::adminRoutes);
            adminServer.start("SPINE_ADMIN_ADDR");
            if (gateway != null) {
                gatewayServer = server("gateway", http.httpAddr(), routes -> {
                    new HealthRoutes(health, service).register(routes);
                    openApi.register(routes);
                    gatewayRoutes(routes);
                });
                gatewayServer.start("SPINE_HTTP_ADDR");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ApiServer server(String name, String addr, Consumer<RoutesConfig> routes) {
        long maxRequest = gateway == null ? MAX_REQUEST_BYTES : Math.max(MAX_REQUEST_BYTES, gateway.maxRequestBytes());
        return new ApiServer(name, config.http(), addr.substring(0, addr.lastIndexOf(':')),
                Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1)), maxRequest, reads, routes);
    }

    private void adminRoutes(RoutesConfig routes) {
        MetricsEndpoint metrics = new MetricsEndpoint(service.metrics());
        new HealthRoutes(health, service).register(routes);
        routes.get("/metrics", metrics::handle);
        new JobRoutes(service, admin).register(routes);
        new WorkerRoutes(service).register(routes);
        new PullWorkerRoutes(service, admin).register(routes);
        new ScheduleRoutes(service, admin).register(routes);
        new EventRoutes(service, admin).register(routes);
        new DashboardRoutes(service, config.jaegerUrl(), history).register(routes);
        new OutboxRoutes(OutboxDeadLetters.in(service.dataSource(), config.outboxSchema()), admin).register(routes);
        openApi.register(routes);
    }

    private void gatewayRoutes(RoutesConfig routes) {
        if (gateway != null) {
            gateway.registerRoutes(routes);
        }
    }

    /** The admin API's bound port. */
    public int port() {
        return adminServer.port();
    }

    /** The gateway's bound port: the admin API's when they share one, -1 when no gateway runs. */
    public int gatewayPort() {
        if (gatewayServer != null) {
            return gatewayServer.port();
        }
        return gateway == null ? -1 : adminServer.port();
    }

    /** Every HTTP route of the admin server, as {@code "METHOD path"}. */
    public List<String> adminRoutes() {
        return adminServer.routes();
    }

    /** Every HTTP route of the gateway's own server; empty when it shares the admin server or does not run. */
    public List<String> gatewayRoutes() {
        return gatewayServer == null ? List.of() : gatewayServer.routes();
    }

    /** Whether a route needs the read key (a GET not open). */
    public boolean guards(String method, String path) {
        return reads.guards(HandlerType.findOrDefault(method), path);
    }

    @Override
    public void close() {
        if (gatewayServer != null) {
            gatewayServer.close();
        }
        if (adminServer != null) {
            adminServer.close();
        }
        health.close();
    }
}
