package dev.spine.server.http;

import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.ApiException;
import dev.spine.contracts.InvalidEventException;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.gateway.Gateway;
import dev.spine.server.ServerConfig;
import dev.spine.service.JobService;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: health, {@code /metrics} and the {@code /v1} API on one Javalin (Jetty) instance.
 * Every error, including unknown routes and failures inside handlers, is answered as
 * {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}; a 500 carries a reference
 * to the log line instead of a stack trace.
 */
public final class AdminApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    /** The largest request body accepted (replay requests are tiny). */
    static final long MAX_REQUEST_BYTES = 64 * 1024;

    private final JobService service;
    private final Gateway gateway;
    private final ServerConfig config;
    private final HealthChecks health;
    private Javalin app;

    /** The routes of {@code service}, and of {@code gateway} when it is not null, under {@code config}'s token. */
    public AdminApi(JobService service, Gateway gateway, ServerConfig config) {
        this.service = service;
        this.gateway = gateway;
        this.config = config;
        this.health = new HealthChecks(service);
    }

    /** Binds {@code host:port} (port 0: any free port) and serves until {@link #close()}. */
    public void start(String host, int port) {
        BearerAuth auth = new BearerAuth(this.config.adminToken());
        MetricsEndpoint metrics = new MetricsEndpoint(service.metrics());
        app = Javalin.create(config -> {
            configure(config);
            if (gateway != null) {
                config.http.maxRequestSize = Math.max(MAX_REQUEST_BYTES, gateway.maxRequestBytes());
                gateway.registerRoutes(config.routes);
            }
            new HealthRoutes(health, service).register(config.routes);
            config.routes.get("/metrics", metrics::handle);
            new JobRoutes(service, auth).register(config.routes);
            new WorkerRoutes(service).register(config.routes);
            new EventRoutes(service, auth).register(config.routes);
            new DashboardRoutes(service, this.config.jaegerUrl()).register(config.routes);
        });
        app.start(host, port);
    }

    private static void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = MAX_REQUEST_BYTES;
        config.routes.exception(ApiException.class, (e, ctx) -> JsonReplies.error(ctx, e));
        config.routes.exception(InvalidJobException.class, (e, ctx) -> JsonReplies.error(ctx, fromJobs(e)));
        config.routes.exception(InvalidEventException.class, (e, ctx) -> JsonReplies.error(ctx,
                ApiException.invalid(e.code().name(), e.field(), e.getMessage())));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> JsonReplies.error(ctx, fromJavalin(e)));
        config.routes.exception(Exception.class, AdminApi::internal);
        // unmatched paths end as a bare 404; a reply already written by a handler is left alone
        config.routes.error(404, ctx -> {
            if (ctx.result() == null) {
                JsonReplies.error(ctx, new ApiException(404, "NOT_FOUND", "no route " + ctx.method() + " "
                        + ctx.path(), Map.of("path", ctx.path())));
            }
        });
    }

    private static ApiException fromJobs(InvalidJobException e) {
        int status = e.code() == JobErrorCode.NOT_FOUND || e.code() == JobErrorCode.UNKNOWN_QUEUE ? 404 : 400;
        return new ApiException(status, e.code().name(), e.getMessage(),
                e.field() == null ? Map.of() : Map.of("field", e.field()));
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        HttpStatus status = HttpStatus.forStatus(e.getStatus());
        String code = status == HttpStatus.UNKNOWN ? "HTTP_" + e.getStatus() : status.name();
        return new ApiException(e.getStatus(), code, e.getMessage(), Map.of());
    }

    private static void internal(Exception e, Context ctx) {
        String ref = UUID.randomUUID().toString();
        LOG.error("admin API {} {} failed (ref {})", ctx.method(), ctx.path(), ref, e);
        JsonReplies.error(ctx, new ApiException(500, "INTERNAL", "internal error; the service log has the cause "
                + "under ref " + ref, Map.of("ref", ref)));
    }

    /** The port actually bound. */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        health.close();
    }
}
