package dev.spine.server;

import dev.spine.gateway.Gateway;
import dev.spine.server.http.AdminApi;
import dev.spine.server.http.QueueHistory;
import dev.spine.service.JobService;
import java.util.List;

/**
 * The admin HTTP API and the gateway's routes, on {@link HttpSettings}' addresses (one, or two when
 * {@code SPINE_ADMIN_ADDR} names its own): started last, once everything they report on is up, and closed first.
 * The routes live in {@link dev.spine.server.http}.
 */
final class AdminServer implements AutoCloseable {
    private final ServerConfig config;
    private final AdminApi api;
    private boolean started;

    AdminServer(JobService engine, Gateway gateway, ServerConfig config, QueueHistory history) {
        this.config = config;
        this.api = new AdminApi(engine, gateway, config, history);
    }

    void start() {
        api.start();
        started = true;
    }

    /** The admin API's bound {@code host:port}: with port 0 in the config, the port the system picked. */
    String address() {
        String addr = config.http().adminAddress();
        return started ? HttpSettings.host(addr) + ":" + api.port() : addr;
    }

    /** The gateway's bound {@code host:port} (the admin API's when they share a port), or null without one. */
    String gatewayAddress() {
        int port = started ? api.gatewayPort() : -1;
        return port < 0 ? null : HttpSettings.host(config.http().httpAddr()) + ":" + port;
    }

    AdminApi api() {
        return api;
    }

    @Override
    public void close() {
        api.close();
    }
}
