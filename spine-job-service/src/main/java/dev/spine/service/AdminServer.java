package dev.spine.service;

import dev.spine.service.http.AdminApi;

/**
 * The admin HTTP API of a {@link JobService}, bound to {@link ServiceConfig#httpAddr()}: started last
 * (once everything it reports on is up) and closed first. The routes live in
 * {@link dev.spine.service.http}.
 */
final class AdminServer implements AutoCloseable {
    private final JobService service;
    private final ServiceConfig config;
    private AdminApi api;

    AdminServer(JobService service, ServiceConfig config) {
        this.service = service;
        this.config = config;
    }

    void start() {
        api = new AdminApi(service);
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
