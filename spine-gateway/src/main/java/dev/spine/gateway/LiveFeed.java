package dev.spine.gateway;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventBus;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.StoredEvent;
import dev.spine.gateway.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of one live subscription (SSE or WebSocket) for one resuming client, read with the bus's
 * {@link EventBus#live live feed} (nothing is left on the server when the client goes). A client that
 * reconnects names the last stream sequence it saw and the feed starts right after it, so nothing published
 * while it was away is missed. Events reach the sink in stream order, one at a time. New clients share one
 * feed per subscription instead ({@link LiveHubs}).
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    /** Where a feed writes: one event with its stream sequence (the resume id). Throws when the client is gone. */
    @FunctionalInterface
    interface Sink {
        void send(LiveEvent event) throws Exception;
    }

    private final dev.spine.events.LiveFeed feed;

    private LiveFeed(dev.spine.events.LiveFeed feed) {
        this.feed = feed;
    }

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

    /**
     * Starts pushing the events of {@code s} stored after sequence {@code after} to {@code sink};
     * {@code onBroken} runs once if the sink fails (the feed has then ended).
     */
    static LiveFeed open(EventBus bus, Subscription s, long after, Sink sink, Runnable onBroken) {
        // the bus filters by type (NATS: one pattern on the server); the data filters are matched here
        LiveFeedOptions options = LiveFeedOptions.after(after).eventTypes(s.eventTypes()).build();
        return new LiveFeed(bus.live(options, event -> deliver(s, event, sink, onBroken)));
    }

    private static void deliver(Subscription s, StoredEvent event, Sink sink, Runnable onBroken) throws Exception {
        LiveEvent e = liveEvent(s, event);
        if (e == null) {
            return;
        }
        try {
            sink.send(e);
        } catch (Exception ex) {
            LOG.debug("live client of subscription {} went away: {}", s.id(), ex.toString());
            // not on the feed's own thread: closing the client closes this feed
            CompletableFuture.runAsync(onBroken);
            throw ex; // ends the feed
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

    @Override
    public void close() {
        feed.close();
    }
}
