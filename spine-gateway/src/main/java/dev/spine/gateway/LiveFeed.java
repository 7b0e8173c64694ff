package dev.spine.gateway;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventBus;
import dev.spine.events.StoredEvent;
import dev.spine.gateway.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What every live client (SSE, WebSocket) of a subscription needs from the bus's {@link EventBus#live live feed}:
 * where a new client starts, and each stored event as the subscription's clients get it (decoded once, its data
 * filters applied). {@link LiveHubs} runs the feeds.
 */
final class LiveFeed {
    private LiveFeed() {}

    /**
     * The last sequence stored on the bus now: a new client (or webhook subscription) starts after it, and is
     * told so before the first event, so "subscribed" means every later event will come. Without the broker
     * no client can be promised its events: 503 {@code BROKER_UNAVAILABLE}, with {@code notDone} saying what
     * did not happen.
     */
    static long lastSequence(EventBus bus, String notDone) {
        try {
            return bus.lastSequence();
        } catch (RuntimeException e) { // each backend has its own (SpineException, PostgresEventsException)
            throw new ApiException(503, "BROKER_UNAVAILABLE", "cannot read the stream position (" + e.getMessage()
                    + "); " + notDone + ", try again", Map.of());
        }
    }

    /** The event as the subscription's clients get it; null when it is no envelope or the filters leave it out. */
    static LiveEvent liveEvent(Subscription s, StoredEvent event) {
        EventEnvelope e;
        try {
            e = event.envelope();
        } catch (InvalidEventException ex) {
            return null; // not an envelope: the job service records it as rejected
        }
        if (!s.matches(e)) {
            return null;
        }
        return new LiveEvent(event.sequence(), e.eventType(), new String(event.data(), StandardCharsets.UTF_8));
    }
}
