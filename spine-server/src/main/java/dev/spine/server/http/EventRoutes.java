package dev.spine.server.http;

import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.RequestParams;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.Cursor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.events.ReplayOptions;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/rejected-events} (events the service could not materialise, newest first, with their raw
 * bytes) and {@code POST /v1/replay} (re-materialise a window of the platform stream; idempotent by key,
 * so a second replay of a window creates no job).
 */
final class EventRoutes {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final JobService service;
    private final BearerAuth auth;

    EventRoutes(JobService service, BearerAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/rejected-events", this::rejected);
        routes.post("/v1/replay", auth.require(this::replay));
    }

    private void rejected(Context ctx) throws SQLException {
        long before = Cursor.longAt(ctx, Long.MAX_VALUE);
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        List<Map<String, Object>> items = new ArrayList<>();
        service.rejectedEvents(before, limit).forEach(r -> items.add(JsonViews.rejected(r)));
        // the next page starts below the oldest row shown
        Map<String, Object> body = JsonViews.page(items,
                items.size() < limit ? null : Cursor.of((Long) items.get(items.size() - 1).get("id")));
        body.put("total", service.rejectedEventCount());
        JsonReplies.ok(ctx, body);
    }

    private void replay(Context ctx) throws SQLException {
        JsonReplies.ok(ctx, JsonViews.replay(service.replay(replayOptions(ctx.body()))));
    }

    /** {@code {"from":"<instant>"}} or {@code {"fromSequence":N}}, optional {@code limit} and {@code eventTypes}. */
    static ReplayOptions replayOptions(String body) {
        JsonNode json;
        try {
            json = JsonReplies.MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body is not JSON: "
                    + e.getOriginalMessage());
        }
        if (!json.isObject()) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body must be a JSON object");
        }
        JsonNode from = json.get("from");
        JsonNode fromSequence = json.get("fromSequence");
        if (from == null && fromSequence == null) {
            throw ApiException.invalid("MISSING_FIELD", "from", "give from (an ISO-8601 instant) "
                    + "or fromSequence (a stream sequence >= 1)");
        }
        if (from != null && fromSequence != null) {
            throw ApiException.invalid("INVALID_FIELD", "fromSequence", "give from or fromSequence, not both");
        }
        ReplayOptions.Builder b;
        if (from != null) {
            try {
                b = ReplayOptions.fromTime(Instant.parse(from.asText()));
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("INVALID_FIELD", "from", "from must be an ISO-8601 instant such as "
                        + "2026-01-01T12:00:00Z, was '" + from.asText() + "'");
            }
        } else {
            b = ReplayOptions.fromSequence(positive(fromSequence, "fromSequence"));
        }
        JsonNode limit = json.get("limit");
        if (limit != null && !limit.isNull()) {
            b.limit(positive(limit, "limit"));
        }
        JsonNode types = json.get("eventTypes");
        if (types != null && !types.isNull()) {
            if (!types.isArray()) {
                throw ApiException.invalid("INVALID_FIELD", "eventTypes", "eventTypes must be an array of strings");
            }
            for (JsonNode t : types) {
                if (!t.isTextual()) {
                    throw ApiException.invalid("INVALID_FIELD", "eventTypes", "eventTypes must be an array of strings");
                }
                b.eventTypes(t.asText());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // what is left for build() to refuse is an event pattern (the rest was checked above)
            throw ApiException.invalid("INVALID_FIELD", "eventTypes", e.getMessage());
        }
    }

    private static long positive(JsonNode n, String field) {
        if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 1) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a whole number >= 1, was " + n);
        }
        return n.asLong();
    }
}
