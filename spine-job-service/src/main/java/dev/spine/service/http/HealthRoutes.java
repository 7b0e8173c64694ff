package dev.spine.service.http;

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

    HealthRoutes(HealthChecks checks) {
        this.checks = checks;
    }

    void register(RoutesConfig routes) {
        routes.get("/health/live", ctx -> JsonReplies.ok(ctx, JsonReplies.okBody()));
        routes.get("/health/ready", ctx -> reply(ctx, Map.of("broker", checks.broker(), "database", checks.database(),
                "ingest", checks.ingest())));
        routes.get("/health/broker", ctx -> reply(ctx, Map.of("broker", checks.broker())));
        routes.get("/health/database", ctx -> reply(ctx, Map.of("database", checks.database())));
    }

    private static void reply(Context ctx, Map<String, HealthChecks.Check> results) {
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
        JsonReplies.write(ctx, failed.isEmpty() ? 200 : 503, body);
    }
}
