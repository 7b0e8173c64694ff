package dev.spine.server.http;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/live} (the process answers), {@code /health/ready} (NATS connected, PostgreSQL answers,
 * ingest committing: 200, else 503 naming what failed), {@code /health/broker} and
 * {@code /health/database} (one check each). No authentication: probes carry no token.
 */
final class HealthRoutes {
    private final HealthChecks checks;
    private final JobService service;

    HealthRoutes(HealthChecks checks, JobService service) {
        this.checks = checks;
        this.service = service;
    }

    void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> JsonReplies.ok(ctx, JsonReplies.okBody()));
        routes.get("/health/ready", ctx -> reply(ctx, Map.of("broker", checks.broker(), "database", checks.database(),
                "ingest", checks.ingest()), objectives()));
        routes.get("/health/broker", ctx -> reply(ctx, Map.of("broker", checks.broker()), null));
        routes.get("/health/database", ctx -> reply(ctx, Map.of("database", checks.database()), null));
    }

    /** The latency objectives per tier: informative, they do not decide readiness. */
    private Map<String, Object> objectives() {
        Map<String, Object> out = new LinkedHashMap<>();
        service.latencyObjectives().forEach((queue, o) -> out.put(queue, Map.of(
                "status", o.met() ? "met" : "breached", "p99Seconds", o.p99Seconds(),
                "targetSeconds", o.target().toMillis() / 1000.0)));
        return out;
    }

    private static void reply(Context ctx, Map<String, HealthChecks.Check> results, Map<String, Object> objectives) {
        Map<String, Object> checkJson = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        for (String name : List.of("broker", "database", "ingest")) {
            HealthChecks.Check c = results.get(name);
            if (c != null) {
                checkJson.put(name, c.toJson());
                if (!c.ok()) {
                    failed.add(name);
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", failed.isEmpty() ? "ok" : "error");
        if (!failed.isEmpty()) {
            body.put("failed", failed);
        }
        body.put("checks", checkJson);
        if (objectives != null) {
            body.put("objectives", objectives);
        }
        JsonReplies.write(ctx, failed.isEmpty() ? 200 : 503, body);
    }
}
