package dev.spine.server.http;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventBus;
import dev.spine.events.StoredEvent;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.RequestParams;
import dev.spine.service.JobService;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/recent-events?limit=20}: the last events of the engine's bus, newest first. It reads them
 * with {@link EventBus#newest} (NATS: one stream-info call and an ordered consumer over the window
 * {@code last-limit+1 .. last}; no durable moves), so a refresh costs at most {@code limit} events, on any
 * backend. Events stored meanwhile wait for the next refresh.
 *
 * <p>It reads the raw stored events rather than through {@code Spine.replay}: replay logs a warning for
 * each malformed event it skips, and a dashboard refreshing every few seconds would repeat that warning
 * for as long as the event stays in the window. Here a malformed event is a row with its error code.
 */
final class RecentEventsRoute {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 200;

    private final JobService service;

    RecentEventsRoute(JobService service) {
        this.service = service;
    }

    void handle(Context ctx) throws Exception {
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        EventBus bus = service.bus();
        List<StoredEvent> newest = bus.newest(limit); // oldest first
        // the window's end is the last sequence shown; an empty bus (or one whose events all expired) says its own
        long last = newest.isEmpty() ? bus.lastSequence() : newest.get(newest.size() - 1).sequence();
        List<Map<String, Object>> items = new ArrayList<>(newest.size());
        for (int i = newest.size() - 1; i >= 0; i--) {
            items.add(view(newest.get(i)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        // where the events come from; with none to show, the stream the engine's topology names (NATS's)
        body.put("stream", newest.isEmpty() ? service.config().topology().platformStream() : newest.get(0).stream());
        body.put("lastSequence", last);
        body.put("items", items);
        JsonReplies.ok(ctx, body);
    }

    private static Map<String, Object> view(StoredEvent event) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", event.sequence());
        m.put("subject", event.subject());
        EventEnvelope e;
        try {
            e = event.envelope();
        } catch (InvalidEventException bad) {
            m.put("malformed", bad.code().name());
            m.put("preview", JsonViews.preview(event.data()));
            return m;
        }
        m.put("eventId", e.eventId().toString());
        m.put("eventType", e.eventType());
        m.put("source", e.source());
        m.put("timestamp", e.timestamp().toString());
        m.put("correlationId", e.correlationId().toString());
        String data = e.dataJson();
        m.put("preview", data.length() <= JsonViews.PREVIEW_CHARS ? data
                : data.substring(0, JsonViews.PREVIEW_CHARS) + "…");
        return m;
    }
}
