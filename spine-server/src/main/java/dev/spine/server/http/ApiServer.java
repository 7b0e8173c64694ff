package dev.spine.server.http;

import dev.spine.contracts.InvalidEventException;
import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.ReadGuard;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.server.HttpSettings;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Javalin (Jetty) server of the spine with what every one shares: the error format (every error,
 * unknown routes and failures inside handlers included, is
 * {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}; a 500 carries a reference to the
 * log line instead of a stack trace), the read guard ({@link ReadGuard}), and the connection limits of
 * {@link HttpSettings} (request size, header size, idle timeout).
 */
final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final String name;
    private final Javalin app;

    /**
     * @param name            what the server serves, for errors and logs ("admin API", "gateway")
     * @param maxRequestBytes the largest request body (413 above)
     */
    ApiServer(String name, HttpSettings http, String host, int port, long maxRequestBytes, ReadGuard reads,
            Consumer<RoutesConfig> routes) {
        this.name = name;
        this.app = Javalin.create(config -> {
            configure(config, maxRequestBytes, http, host, port);
            reads.install(config.routes);
            routes.accept(config.routes);
        });
    }

    private static void configure(JavalinConfig config, long maxRequestBytes, HttpSettings http, String host, int port) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = maxRequestBytes;
        config.jetty.modifyHttpConfiguration(h -> h.setRequestHeaderSize(http.maxHeaderBytes()));
        // one connector of our own: Javalin's default one has no idle timeout setting
        config.jetty.addConnector((server, httpConfig) -> {
            ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
            c.setHost(host);
            c.setPort(port);
            c.setIdleTimeout(http.idleTimeout().toMillis());
            return c;
        });
        config.routes.exception(ApiException.class, (e, ctx) -> JsonReplies.error(ctx, e));
        config.routes.exception(InvalidJobException.class, (e, ctx) -> JsonReplies.error(ctx, fromJobs(e)));
        config.routes.exception(InvalidEventException.class, (e, ctx) -> JsonReplies.error(ctx,
                ApiException.invalid(e.code().name(), e.field(), e.getMessage())));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> JsonReplies.error(ctx, fromJavalin(e)));
        config.routes.exception(Exception.class, ApiServer::internal);
        // unmatched paths end as a bare 404; a reply already written by a handler is left alone
        config.routes.error(404, ctx -> {
            if (ctx.result() == null) {
                JsonReplies.error(ctx, new ApiException(404, "NOT_FOUND", "no route " + ctx.method() + " "
                        + ctx.path(), Map.of("path", ctx.path())));
            }
        });
    }

    /** Binds the address given at construction; a failure names the server and the address. */
    void start(String variable) {
        try {
            app.start();
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException("cannot serve the " + name + " on its address (" + variable + "): "
                    + e.getMessage(), e);
        }
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
        LOG.error("{} {} failed (ref {})", ctx.method(), ctx.path(), ref, e);
        JsonReplies.error(ctx, new ApiException(500, "INTERNAL", "internal error; the service log has the cause "
                + "under ref " + ref, Map.of("ref", ref)));
    }

    /** The port actually bound. */
    int port() {
        return app.port();
    }

    /** Every HTTP route served, as {@code "METHOD path"} (WebSocket routes not included). */
    List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().filter(p -> p.endpoint.method.isHttpMethod())
                .map(p -> p.endpoint.method.name() + " " + p.endpoint.path).toList();
    }

    @Override
    public void close() {
        app.stop();
    }
}
