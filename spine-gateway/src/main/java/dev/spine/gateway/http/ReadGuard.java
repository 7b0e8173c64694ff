package dev.spine.gateway.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import java.util.Set;

/**
 * Reads are closed unless named open: every {@code GET} route of a server needs a read key
 * ({@link BearerAuth#reads}) except the paths listed as open (health, {@code /metrics}, the dashboard's static
 * page, the OpenAPI document, live streams that check their own subscription secret). A route added later is
 * guarded without anyone remembering to: forgetting it fails closed, not open.
 */
public final class ReadGuard {
    private final BearerAuth reads;
    private final Set<String> openPaths;

    /** @param openPaths route paths as registered ({@code /health/live}, {@code /dashboard/{file}}) */
    public ReadGuard(BearerAuth reads, Set<String> openPaths) {
        this.reads = reads;
        this.openPaths = Set.copyOf(openPaths);
    }

    /** Checks the read key before the handler of every guarded route runs. */
    public void install(RoutesConfig routes) {
        routes.beforeMatched(this::check);
    }

    private void check(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        if (matched != null && guards(matched.method, matched.path)) {
            reads.check(ctx);
        }
    }

    /** Whether a route needs the read key: a GET (or HEAD) whose path is not open. */
    public boolean guards(HandlerType method, String path) {
        return (method == HandlerType.GET || method == HandlerType.HEAD) && !openPaths.contains(path);
    }
}
