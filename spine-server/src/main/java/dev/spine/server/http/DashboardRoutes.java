package dev.spine.server.http;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.ApiException;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator dashboard: {@code GET /} (the page), {@code GET /dashboard/{file}} (its script and style,
 * from a fixed list on the classpath) and the read-only JSON it needs beyond the {@code /v1} API:
 * {@code /v1/dashboard-config} (the Jaeger URL), {@code /v1/throughput} (raw run counters; the page
 * derives the table's rates from two readings) and {@code /v1/queues/history} (the last hour per queue for the
 * charts, kept by {@link QueueHistory} since a page opened now cannot know it). The page and its files are open;
 * its data needs a key like every read. The page carries no key: the operator types one ({@code SPINE_READ_TOKEN},
 * or {@code SPINE_ADMIN_TOKEN} to retry dead jobs too), the browser keeps it in sessionStorage and sends it as
 * {@code Authorization: Bearer} on the API's requests.
 */
final class DashboardRoutes {
    /** Where the page's files live on the classpath. */
    static final String RESOURCES = "/dev/spine/server/dashboard/";
    /** The only files served: a request can never name another classpath resource. */
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");
    /** Scripts and styles from this origin only, no inline script, no framing: data can never run as code. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final JobService service;
    private final String jaegerUrl;
    private final RecentEventsRoute recentEvents;

    private final QueueHistory history;

    DashboardRoutes(JobService service, String jaegerUrl, QueueHistory history) {
        this.history = history;
        this.jaegerUrl = jaegerUrl;
        this.service = service;
        this.recentEvents = new RecentEventsRoute(service);
    }

    void register(RoutesConfig routes) {
        routes.get("/", ctx -> asset(ctx, "index.html"));
        routes.get("/dashboard/{file}", ctx -> asset(ctx, ctx.pathParam("file")));
        routes.get("/v1/dashboard-config", ctx -> JsonReplies.ok(ctx,
                Map.of("jaegerUrl", jaegerUrl)));
        routes.get("/v1/throughput", this::throughput);
        routes.get("/v1/queues/history", ctx -> JsonReplies.ok(ctx, history.view()));
        routes.get("/v1/recent-events", recentEvents::handle);
    }

    private static void asset(Context ctx, String file) {
        String type = ASSETS.get(file);
        if (type == null) {
            throw ApiException.notFound("dashboard file", file);
        }
        byte[] body;
        try (InputStream in = DashboardRoutes.class.getResourceAsStream(RESOURCES + file)) {
            if (in == null) {
                throw new IllegalStateException("dashboard file " + file + " is missing from the classpath");
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard file " + file, e);
        }
        // no-cache: after an upgrade the page and its script must not come from two versions
        ctx.header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .status(200).contentType(type).result(body);
    }

    /**
     * {@code {"instance":"<worker id>","at":<epoch ms>,"completed":N,"failed":N,"queues":{"realtime":{"runs":N},...}}}:
     * this process's monotonic counts since it started. A queue's runs count every finished attempt
     * (succeeded or failed); the totals split them. The page divides the difference of two readings by
     * the time between them, and only when both came from the same instance: behind a load balancer two
     * readings may come from two processes, and after a restart the counts start again from zero.
     */
    private void throughput(Context ctx) {
        MetricRegistry metrics = service.metrics();
        Map<String, Object> queues = new TreeMap<>();
        String prefix = "spine.jobs.run.";
        for (Map.Entry<String, Timer> t : metrics.getTimers((name, m) -> name.startsWith(prefix)).entrySet()) {
            queues.put(t.getKey().substring(prefix.length()), Map.of("runs", t.getValue().getCount()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", service.jobs().workerId().toString());
        body.put("at", System.currentTimeMillis());
        body.put("completed", count(metrics, "spine.jobs.completed"));
        body.put("failed", count(metrics, "spine.jobs.failed"));
        body.put("queues", queues);
        JsonReplies.ok(ctx, body);
    }

    private static long count(MetricRegistry metrics, String name) {
        Counter c = metrics.getCounters().get(name);
        return c == null ? 0 : c.getCount();
    }
}
