package dev.spine.server;

import dev.spine.gateway.Gateway;
import dev.spine.server.http.AdminApi;
import dev.spine.service.JobService;

/**
 * The admin HTTP API (and the gateway's routes when the gateway runs), bound to
 * {@link ServerConfig#httpAddr()}: started last, once everything it reports on is up, and closed first.
 * The routes live in {@link dev.spine.server.http}.
 */
final class AdminServer implements AutoCloseable {
    private final JobService engine;
    private final Gateway gateway;
    private final ServerConfig config;
    private AdminApi api;

    AdminServer(JobService engine, Gateway gateway, ServerConfig config) {
        this.engine = engine;
        this.gateway = gateway;
        this.config = config;
    }

    void start() {
        api = new AdminApi(engine, gateway, config);
        try {
            api.start(config.httpHost(), config.httpPort());
        } catch (RuntimeException e) {
            api.close();
            throw new IllegalStateException("cannot serve the admin API on " + config.httpAddr() + " (SPINE_HTTP_ADDR): "
                    + e.getMessage(), e);
        }
    }

    /** The bound {@code host:port}: with port 0 in the config, the port the system picked. */
    String address() {
        return api == null ? config.httpAddr() : config.httpHost() + ":" + api.port();
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
    }
}
