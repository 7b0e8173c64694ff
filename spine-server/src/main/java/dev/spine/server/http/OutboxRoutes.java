package dev.spine.server.http;

import dev.spine.events.postgres.OutboxDeadLetter;
import dev.spine.events.postgres.OutboxDeadLetters;
import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.Cursor;
import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The transactional outbox's dead letters in {@code SPINE_OUTBOX_SCHEMA} of the server's PostgreSQL:
 * {@code GET /v1/outbox/dead-letters} (newest first, paged with {@code before}),
 * {@code POST /v1/outbox/dead-letters/{id}/retry} (back into the outbox, where the relay of the service that
 * owns it publishes it once) and {@code DELETE /v1/outbox/dead-letters/{id}}. A schema without an outbox lists
 * nothing.
 */
final class OutboxRoutes {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private final OutboxDeadLetters dead;
    private final BearerAuth auth;

    OutboxRoutes(OutboxDeadLetters dead, BearerAuth auth) {
        this.dead = dead;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/outbox/dead-letters", this::list);
        routes.post("/v1/outbox/dead-letters/{id}/retry", auth.require(this::retry));
        routes.delete("/v1/outbox/dead-letters/{id}", auth.require(this::delete));
    }

    private void list(Context ctx) throws SQLException {
        long before = Cursor.longAt(ctx, Long.MAX_VALUE);
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        List<OutboxDeadLetter> found = dead.list(before, limit);
        List<Object> items = new ArrayList<>();
        found.forEach(d -> items.add(OutboxDeadLetterView.of(d)));
        JsonReplies.ok(ctx, JsonViews.page(items, found.size() < limit ? null : Cursor.of(found.get(found.size() - 1).id())));
    }

    private void retry(Context ctx) throws SQLException {
        long id = RequestParams.positive(ctx.pathParam("id"), "id");
        OptionalLong outboxId = dead.retry(id);
        if (outboxId.isEmpty()) {
            throw ApiException.notFound("outbox dead letter", String.valueOf(id));
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", id, "outboxId", outboxId.getAsLong()));
    }

    private void delete(Context ctx) throws SQLException {
        long id = RequestParams.positive(ctx.pathParam("id"), "id");
        if (!dead.delete(id)) {
            throw ApiException.notFound("outbox dead letter", String.valueOf(id));
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", id, "deleted", true));
    }
}
