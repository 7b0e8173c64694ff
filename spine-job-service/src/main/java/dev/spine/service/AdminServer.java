package dev.spine.service;

/** Placeholder: the admin HTTP API (Javalin) is being written. */
final class AdminServer implements AutoCloseable {
    private final JobService service;
    private final ServiceConfig config;

    AdminServer(JobService service, ServiceConfig config) {
        this.service = service;
        this.config = config;
    }

    void start() {
    }

    String address() {
        return config.httpAddr();
    }

    @Override
    public void close() {
    }
}
