package dev.spine.server.http;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import java.util.Map;

/**
 * The worker registry: {@code GET /v1/workers} (every process running queues on the job schema: host, queues
 * with their concurrency, job types, heartbeat, live; and the unserved types) and {@code GET /v1/workers/unserved}
 * (waiting job types no live worker serves, with how many jobs wait). Read-only, open like the other reads.
 */
final class WorkerRoutes {
    private final JobService service;

    WorkerRoutes(JobService service) {
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/workers", ctx -> JsonReplies.ok(ctx,
                WorkerViews.registry(service.jobs().workers(), service.jobs().unservedTypes())));
        routes.get("/v1/workers/unserved", ctx -> JsonReplies.ok(ctx,
                Map.of("items", WorkerViews.unserved(service.jobs().unservedTypes()))));
    }
}
