package dev.spine.gateway;

import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.Cursor;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The bus's HTTP routes: publishers, publishing, event queries and replay here; subscriptions and dead
 * letters in {@link SubscriptionRoutes}; live push in {@link LiveRoutes}. {@link #ENDPOINTS} lists every
 * method and path, and the gateway's openapi.json describes each; the server serves it, with the admin API's,
 * at {@code /v1/openapi.json} (a test holds the document and the routes together).
 */
final class BusRoutes {
    /** Every bus endpoint as {@code "METHOD path"}, paths in OpenAPI form ({@code {id}}). */
    static final List<String> ENDPOINTS = List.of(
            "POST /v1/events", "GET /v1/events", "GET /v1/events/{id}", "POST /v1/events/{id}/redeliver",
            "GET /v1/partitions/{key}/events",
            "POST /v1/publishers", "GET /v1/publishers", "DELETE /v1/publishers/{id}", "POST /v1/publishers/{id}/rotate-key",
            "POST /v1/subscriptions", "GET /v1/subscriptions", "GET /v1/subscriptions/{id}",
            "DELETE /v1/subscriptions/{id}", "GET /v1/subscriptions/{id}/events", "GET /v1/subscriptions/{id}/ws",
            "GET /v1/failed-deliveries", "POST /v1/failed-deliveries/{id}/redeliver", "DELETE /v1/failed-deliveries/{id}");
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Gateway bus;

    BusRoutes(Gateway bus) {
        this.bus = bus;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/events", this::publish);
        routes.get("/v1/events", this::find);
        routes.get("/v1/events/{id}", this::event);
        routes.post("/v1/events/{id}/redeliver", this::redeliver);
        routes.get("/v1/partitions/{key}/events", this::history);
        routes.post("/v1/publishers", this::register);
        routes.get("/v1/publishers", this::publishers);
        routes.delete("/v1/publishers/{id}", this::deletePublisher);
        routes.post("/v1/publishers/{id}/rotate-key", this::rotateKey);
        new SubscriptionRoutes(bus).register(routes);
        new LiveRoutes(bus).register(routes);
    }

    /** The largest request body the server must accept for the bus. */
    static long maxRequestBytes(GatewayConfig config) {
        return config.maxEventBytes() + 1024L;
    }

    private void publish(Context ctx) throws SQLException {
        String key = ctx.header("X-Api-Key");
        if (key == null || key.isBlank()) {
            key = BearerAuth.bearer(ctx);
        }
        if (key.isBlank()) {
            throw new ApiException(401, "UNAUTHORIZED", "publishing needs a publisher API key: "
                    + "X-Api-Key: <key> or Authorization: Bearer <key>", Map.of("field", "X-Api-Key"));
        }
        Publisher publisher = bus.publishers().authenticate(key.trim()).orElseThrow(() -> new ApiException(401,
                "UNAUTHORIZED", "unknown or revoked API key", Map.of("field", "X-Api-Key")));
        long length = ctx.contentLength();
        if (length > bus.config().maxEventBytes()) {
            // refused before reading: the same answer as for a body found too large after reading it
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", "the event is " + length + " bytes; at most "
                    + bus.config().maxEventBytes() + " are accepted (SPINE_BUS_MAX_EVENT_BYTES)",
                    Map.of("field", "body", "limit", bus.config().maxEventBytes()));
        }
        EventIntake.Accepted a = bus.intake().publish(publisher, ctx.bodyAsBytes());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("eventId", a.eventId().toString());
        body.put("timestamp", a.timestamp());
        body.put("receipt", a.receipt().sequence());
        body.put("stream", a.receipt().stream());
        body.put("duplicate", a.duplicate());
        JsonReplies.write(ctx, 202, body);
    }

    private void register(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        var json = JsonReplies.body(ctx);
        var name = json.get("name");
        if (name == null || !name.isTextual() || !name.asText().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw ApiException.invalid(name == null ? "MISSING_FIELD" : "INVALID_FIELD", "name",
                    "name must be 1-100 letters, digits, '.', '_' or '-' (the service's name)");
        }
        var types = json.get("allowedEventTypes");
        if (types == null || !types.isArray() || types.isEmpty()) {
            throw ApiException.invalid(types == null ? "MISSING_FIELD" : "INVALID_FIELD", "allowedEventTypes",
                    "allowedEventTypes must be a non-empty array of domain.NounVerb or domain.* patterns");
        }
        List<String> allowed = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            if (!types.get(i).isTextual() || !EventTypes.isPattern(types.get(i).asText())) {
                throw ApiException.invalid("INVALID_FIELD", "allowedEventTypes[" + i + "]", "allowedEventTypes[" + i
                        + "] must be domain.NounVerb or domain.*, was " + types.get(i));
            }
            allowed.add(types.get(i).asText());
        }
        var reg = bus.publishers().register(name.asText(), allowed).orElseThrow(() -> new ApiException(409,
                "ALREADY_EXISTS", "a publisher named " + name.asText() + " exists", Map.of("field", "name")));
        JsonReplies.write(ctx, 201, JsonReplies.okBody("publisher", view(reg.publisher()), "apiKey", reg.apiKey()));
    }

    private void publishers(Context ctx) throws SQLException {
        List<Object> items = new ArrayList<>();
        bus.publishers().list().forEach(p -> items.add(view(p)));
        JsonReplies.write(ctx, 200, JsonReplies.okBody("items", items));
    }

    private void deletePublisher(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        UUID id = RequestParams.uuid(ctx, "id");
        if (!bus.publishers().delete(id)) {
            throw ApiException.notFound("publisher", id.toString());
        }
        JsonReplies.write(ctx, 200, JsonReplies.okBody("deleted", id.toString()));
    }

    /** A new API key (shown once); the old key stops working at once. */
    private void rotateKey(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        UUID id = RequestParams.uuid(ctx, "id");
        var reg = bus.publishers().rotateKey(id).orElseThrow(() -> ApiException.notFound("publisher", id.toString()));
        JsonReplies.write(ctx, 200, JsonReplies.okBody("publisher", view(reg.publisher()), "apiKey", reg.apiKey()));
    }

    private static Map<String, Object> view(Publisher p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id().toString());
        m.put("name", p.name());
        m.put("allowedEventTypes", p.allowedTypes());
        m.put("keyPrefix", p.keyPrefix());
        m.put("createdAt", Timestamps.format(p.createdAt()));
        return m;
    }

    private EventStore store() {
        EventStore store = bus.store();
        if (store == null) {
            throw new ApiException(503, "EVENT_STORE_DISABLED", "event queries need the event store: set "
                    + "SPINE_BUS_EVENT_STORE=true", Map.of());
        }
        return store;
    }

    private void event(Context ctx) throws SQLException {
        UUID id = RequestParams.uuid(ctx, "id");
        StoredEvent e = store().byId(id).orElseThrow(() -> ApiException.notFound("event", id.toString()));
        JsonReplies.write(ctx, 200, JsonReplies.okBody("event", JsonReplies.parse(e.envelopeJson()), "stream", e.stream(),
                "sequence", e.sequence()));
    }

    private void find(Context ctx) throws SQLException {
        String type = RequestParams.text(ctx, "type");
        String correlation = RequestParams.text(ctx, "correlationId");
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        EventQuery q = new EventQuery(type, RequestParams.text(ctx, "source"),
                correlation == null ? null : RequestParams.uuid(correlation, "correlationId"), RequestParams.instant(ctx, "from"),
                RequestParams.instant(ctx, "to"), Cursor.longAt(ctx, 0), limit);
        page(ctx, store().find(q), limit);
    }

    private void history(Context ctx) throws SQLException {
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        page(ctx, store().history(ctx.pathParam("key"), Cursor.longAt(ctx, 0), limit),
                limit);
    }

    /** Items in stream order; {@code next} is the cursor of the page after (null on the last). */
    private static void page(Context ctx, List<StoredEvent> events, int limit) {
        List<Object> items = new ArrayList<>();
        for (StoredEvent e : events) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("sequence", e.sequence());
            item.put("event", JsonReplies.parse(e.envelopeJson()));
            items.add(item);
        }
        String next = events.size() < limit ? null : Cursor.of(events.get(events.size() - 1).sequence());
        JsonReplies.write(ctx, 200, JsonReplies.okBody("items", items, "next", next));
    }

    /**
     * Redelivers one stored event now, to one webhook subscription ({@code {"subscriptionId":..}}) or to
     * every webhook subscription it matches. One attempt each; a failure becomes a failed delivery.
     */
    private void redeliver(Context ctx) throws SQLException {
        bus.admin().check(ctx);
        UUID id = RequestParams.uuid(ctx, "id");
        var body = JsonReplies.body(ctx);
        StoredEvent e = store().byId(id).orElseThrow(() -> ApiException.notFound("event", id.toString()));
        var envelope = bus.codec().decode(e.envelopeJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        List<Subscription> targets = new ArrayList<>();
        var sid = body.get("subscriptionId");
        if (sid != null && !sid.isNull()) {
            UUID subscriptionId = RequestParams.uuid(sid.asText(), "subscriptionId");
            Subscription s = bus.subscriptions().byId(subscriptionId).orElseThrow(() ->
                    ApiException.notFound("subscription", subscriptionId.toString()));
            if (s.mode() != Subscription.Mode.WEBHOOK) {
                throw ApiException.invalid("INVALID_FIELD", "subscriptionId", "redeliver sends to webhook "
                        + "subscriptions; live clients resume with Last-Event-ID instead");
            }
            targets.add(s);
        } else {
            for (Subscription s : bus.subscriptions().list()) {
                if (s.mode() == Subscription.Mode.WEBHOOK && s.matches(envelope)) {
                    targets.add(s);
                }
            }
        }
        List<Object> results = new ArrayList<>();
        for (Subscription s : targets) {
            WebhookSender.Outcome o = bus.dispatcher().deliverNow(s, id, envelope.eventType(), e, 1);
            if (!o.delivered()) {
                bus.subscriptions().deadLetter(s, e, id, 1, o, bus.clock().instant());
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("subscriptionId", s.id().toString());
            r.put("delivered", o.delivered());
            r.put("httpStatus", o.status() == 0 ? null : o.status());
            r.put("error", o.error());
            results.add(r);
        }
        JsonReplies.write(ctx, 200, JsonReplies.okBody("eventId", id.toString(), "deliveries", results));
    }

    /** The gateway's part of the OpenAPI document (its paths and the components they use). */
    static byte[] openApi() {
        try (InputStream in = BusRoutes.class.getResourceAsStream("/dev/spine/gateway/openapi.json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("the gateway's openapi.json cannot be read", e);
        }
    }
}
