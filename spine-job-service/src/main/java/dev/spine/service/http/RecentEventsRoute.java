package dev.spine.service.http;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.ReplayOptions;
import dev.spine.service.JobService;
import io.javalin.http.Context;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/recent-events?limit=20}: the last events of the platform stream, newest first. It reads
 * the stream's last sequence, then replays only the window {@code last-limit+1 .. last} with an
 * ephemeral ordered consumer, so a refresh costs one stream-info call and at most {@code limit} messages,
 * and no durable consumer moves. Events stored while it reads are left for the next refresh.
 */
final class RecentEventsRoute {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 200;
    /** The window ends at the last stored event, so this only bounds a stream that stalls mid-read. */
    static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    private final JobService service;

    RecentEventsRoute(JobService service) {
        this.service = service;
    }

    void handle(Context ctx) throws IOException, JetStreamApiException {
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String stream = service.spine().topology().platformStream();
        StreamState state = service.nats().jetStreamManagement().getStreamInfo(stream).getStreamState();
        List<Map<String, Object>> items = new ArrayList<>();
        if (state.getLastSequence() > 0) {
            long from = Math.max(Math.max(1, state.getFirstSequence()), state.getLastSequence() - limit + 1);
            service.spine().replay(ReplayOptions.fromSequence(from).limit(limit).idleTimeout(IDLE_TIMEOUT).build(),
                    e -> items.add(view(e.streamSequence(), e.subject(), e.envelope())));
            Collections.reverse(items);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("lastSequence", state.getLastSequence());
        body.put("items", items);
        JsonReplies.ok(ctx, body);
    }

    private static Map<String, Object> view(long sequence, String subject, EventEnvelope e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", sequence);
        m.put("subject", subject);
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
