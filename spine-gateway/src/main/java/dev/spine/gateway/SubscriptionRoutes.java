package dev.spine.gateway;

import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.Cursor;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code /v1/subscriptions} and the webhook deliveries that used up their attempts, {@code /v1/failed-deliveries}. */
final class SubscriptionRoutes {
    private final Gateway bus;

    SubscriptionRoutes(Gateway bus) {
        this.bus = bus;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/subscriptions", this::create);
        routes.get("/v1/subscriptions", this::list);
        routes.get("/v1/subscriptions/{id}", this::one);
        routes.delete("/v1/subscriptions/{id}", this::delete);
        routes.get("/v1/failed-deliveries", this::failedDeliveries);
        routes.post("/v1/failed-deliveries/{id}/redeliver", this::redeliver);
        routes.delete("/v1/failed-deliveries/{id}", this::discard);
    }

    private void create(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        Subscription s = SubscriptionRequests.parse(JsonReplies.body(ctx), bus.config(), bus.targets(), bus.clock());
        if (s.mode() == Subscription.Mode.WEBHOOK) {
            // every event published from here on is the subscription's, even if its consumer starts later
            s = s.startingAt(bus.dispatcher().nextSequence());
        }
        bus.subscriptions().insert(s);
        bus.dispatcher().added(s);
        // the secret is shown here once: webhook receivers verify signatures with it, live clients present it
        JsonReplies.write(ctx, 201, JsonReplies.okBody("subscription", view(s), "secret", s.secret()));
    }

    private void list(Context ctx) throws SQLException {
        List<Object> items = new ArrayList<>();
        bus.subscriptions().list().forEach(s -> items.add(view(s)));
        JsonReplies.write(ctx, 200, JsonReplies.okBody("items", items));
    }

    private void one(Context ctx) throws SQLException {
        JsonReplies.write(ctx, 200, JsonReplies.okBody("subscription", view(find(RequestParams.uuid(ctx, "id")))));
    }

    private void delete(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        UUID id = RequestParams.uuid(ctx, "id");
        if (!bus.subscriptions().delete(id)) {
            throw ApiException.notFound("subscription", id.toString());
        }
        bus.dispatcher().removed(id);
        bus.live().closeAll(id);
        JsonReplies.write(ctx, 200, JsonReplies.okBody("deleted", id.toString()));
    }

    private Subscription find(UUID id) throws SQLException {
        return bus.subscriptions().byId(id).orElseThrow(() -> ApiException.notFound("subscription", id.toString()));
    }

    private void failedDeliveries(Context ctx) throws SQLException {
        String sid = RequestParams.text(ctx, "subscriptionId");
        UUID subscriptionId = sid == null ? null : RequestParams.uuid(sid, "subscriptionId");
        long before = Cursor.longAt(ctx, Long.MAX_VALUE);
        int limit = (int) RequestParams.number(ctx, "limit", BusRoutes.DEFAULT_LIMIT, 1, BusRoutes.MAX_LIMIT);
        List<WebhookDeadLetter> found = bus.subscriptions().deadLetters(subscriptionId, before, limit);
        List<Object> items = new ArrayList<>();
        found.forEach(d -> items.add(view(d)));
        String next = found.size() < limit ? null : Cursor.of(found.get(found.size() - 1).id());
        JsonReplies.write(ctx, 200, JsonReplies.okBody("items", items, "next", next));
    }

    /** One delivery attempt now; success removes the failed delivery, failure keeps it with the new error (502). */
    private void redeliver(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        long id = RequestParams.positive(ctx.pathParam("id"), "id");
        WebhookDeadLetter d = bus.subscriptions().deadLetter(id).orElseThrow(() ->
                ApiException.notFound("failed delivery", String.valueOf(id)));
        Subscription s = find(d.subscriptionId());
        String type = JsonReplies.parse(d.event().envelopeJson()).path("eventType").asText();
        WebhookSender.Outcome o = bus.dispatcher().deliverNow(s, d.eventId(), type, d.event(), d.attempts() + 1L);
        if (o.delivered()) {
            bus.subscriptions().deleteDeadLetter(id);
            JsonReplies.write(ctx, 200, JsonReplies.okBody("delivered", true, "httpStatus", o.status()));
            return;
        }
        bus.subscriptions().failedRetry(id, o, bus.clock().instant());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", id);
        details.put("httpStatus", o.status() == 0 ? null : o.status());
        details.put("error", o.error());
        throw new ApiException(502, "DELIVERY_FAILED", "the receiver did not take the event: " + o.error()
                + "; the failed delivery is kept", details);
    }

    /** Gives up on a failed delivery: it is removed without a delivery. */
    private void discard(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        long id = RequestParams.positive(ctx.pathParam("id"), "id");
        if (!bus.subscriptions().deleteDeadLetter(id)) {
            throw ApiException.notFound("failed delivery", String.valueOf(id));
        }
        JsonReplies.write(ctx, 200, JsonReplies.okBody("deleted", id));
    }

    static Map<String, Object> view(Subscription s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id().toString());
        m.put("name", s.name());
        m.put("eventTypes", s.eventTypes());
        m.put("filters", s.filters().stream().map(DataFilter::toJson).toList());
        m.put("mode", s.mode().wire());
        m.put("guarantee", s.guarantee().wire());
        if (s.mode() == Subscription.Mode.WEBHOOK) {
            m.put("url", s.url().toString());
            m.put("maxAttempts", s.maxAttempts());
            m.put("timeoutMs", s.timeout().toMillis());
            if (s.startSequence() > 0) {
                m.put("startSequence", s.startSequence());
            }
        }
        m.put("createdAt", Timestamps.format(s.createdAt()));
        return m;
    }

    private static Map<String, Object> view(WebhookDeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("subscriptionId", d.subscriptionId().toString());
        m.put("eventId", d.eventId().toString());
        m.put("sequence", d.event().sequence());
        m.put("attempts", d.attempts());
        m.put("lastStatus", d.lastStatus());
        m.put("lastError", d.lastError());
        m.put("createdAt", Timestamps.format(d.createdAt()));
        m.put("updatedAt", Timestamps.format(d.updatedAt()));
        m.put("event", JsonReplies.parse(d.event().envelopeJson()));
        return m;
    }
}
