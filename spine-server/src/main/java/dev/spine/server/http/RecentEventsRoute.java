package dev.spine.server.http;

import dev.spine.gateway.http.RequestParams;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.service.JobService;
import io.javalin.http.Context;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/recent-events?limit=20}: the last events of the platform stream, newest first. It reads
 * the stream's last sequence, then only the window {@code last-limit+1 .. last} with an ephemeral ordered
 * consumer, so a refresh costs one stream-info call and at most {@code limit} messages, and no durable
 * consumer moves. Events stored meanwhile wait for the next refresh.
 *
 * <p>It reads the stream itself rather than through {@code Spine.replay}: replay logs a warning for
 * each malformed event it skips, and a dashboard refreshing every few seconds would repeat that warning
 * for as long as the event stays in the window. Here a malformed event is a row with its error code.
 */
final class RecentEventsRoute {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 200;
    /** The window ends at the last stored event, so this only bounds a read that stalls. */
    static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

    private final JobService service;

    RecentEventsRoute(JobService service) {
        this.service = service;
    }

    void handle(Context ctx) throws Exception {
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        String stream = service.spine().topology().platformStream();
        StreamContext sc = service.nats().getStreamContext(stream);
        StreamState state = sc.getStreamInfo().getStreamState();
        long last = state.getLastSequence();
        List<Map<String, Object>> items = new ArrayList<>();
        if (last > 0) {
            long from = Math.max(Math.max(1, state.getFirstSequence()), last - limit + 1);
            OrderedConsumerContext ordered = sc.createOrderedConsumer(new OrderedConsumerConfiguration()
                    .deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(from));
            try (IterableConsumer it = ordered.iterate()) {
                while (items.size() < limit) {
                    Message m = it.nextMessage(IDLE_TIMEOUT);
                    if (m == null) {
                        break;
                    }
                    items.add(view(m));
                    if (m.metaData().streamSequence() >= last) {
                        break;
                    }
                }
            }
            Collections.reverse(items);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("lastSequence", last);
        body.put("items", items);
        JsonReplies.ok(ctx, body);
    }

    private Map<String, Object> view(Message msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", msg.metaData().streamSequence());
        m.put("subject", msg.getSubject());
        EventEnvelope e;
        try {
            e = service.spine().codec().decode(msg.getData());
        } catch (InvalidEventException bad) {
            m.put("malformed", bad.code().name());
            m.put("preview", JsonViews.preview(msg.getData()));
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
