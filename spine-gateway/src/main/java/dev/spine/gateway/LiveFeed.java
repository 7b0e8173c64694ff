package dev.spine.gateway;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.StreamTopology;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of one live subscription (SSE or WebSocket) for one connected client, read with an ordered
 * consumer (ephemeral: nothing is left on the server when the client goes). A client that reconnects
 * names the last stream sequence it saw and the feed starts right after it, so nothing published while
 * it was away is missed; a new client starts after the last event stored when it connected. Events reach the sink in
 * stream order, one at a time.
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    /** Where a feed writes: one event with its stream sequence (the resume id). Throws when the client is gone. */
    @FunctionalInterface
    interface Sink {
        void send(long sequence, String eventType, String envelopeJson) throws Exception;
    }

    private final Connection nats;
    private final Dispatcher dispatcher;
    private final MessageConsumer consumer;

    private LiveFeed(Connection nats, Dispatcher dispatcher, MessageConsumer consumer) {
        this.nats = nats;
        this.dispatcher = dispatcher;
        this.consumer = consumer;
    }

    /**
     * The last sequence stored in the platform stream now: a new client starts after it, and is told so
     * before the first event, so "subscribed" means every later event will come.
     */
    static long lastSequence(Connection nats, StreamTopology topology) {
        try {
            return nats.getStreamContext(topology.platformStream()).getStreamInfo().getStreamState().getLastSequence();
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot read " + topology.platformStream() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts pushing the events of {@code s} stored after sequence {@code after} to {@code sink};
     * {@code onBroken} runs once if the sink fails.
     */
    static LiveFeed open(Connection nats, StreamTopology topology, EventCodec codec, Subscription s, long after,
            Sink sink, Runnable onBroken) {
        OrderedConsumerConfiguration occ = new OrderedConsumerConfiguration()
                .deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(after + 1);
        if (s.eventTypes().size() == 1) {
            occ.filterSubject(topology.subjectFor(s.eventTypes().get(0)));
        }
        boolean[] broken = new boolean[1];
        // a dispatcher (thread) of its own: a slow client holds up only its own feed
        Dispatcher dispatcher = nats.createDispatcher();
        try {
            StreamContext sc = nats.getStreamContext(topology.platformStream());
            OrderedConsumerContext ordered = sc.createOrderedConsumer(occ);
            MessageConsumer consumer = ordered.consume(dispatcher, m -> {
                if (broken[0]) {
                    return;
                }
                EventEnvelope e;
                try {
                    e = codec.decode(m.getData());
                } catch (InvalidEventException ex) {
                    return; // not an envelope: the job service records it as rejected
                }
                if (!s.matches(e)) {
                    return;
                }
                try {
                    sink.send(m.metaData().streamSequence(), e.eventType(), new String(m.getData(), StandardCharsets.UTF_8));
                } catch (Exception ex) {
                    broken[0] = true;
                    LOG.debug("live client of subscription {} went away: {}", s.id(), ex.toString());
                    // not on the dispatcher's own thread: closing the client closes this feed and its dispatcher
                    java.util.concurrent.CompletableFuture.runAsync(onBroken);
                }
            });
            return new LiveFeed(nats, dispatcher, consumer);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            nats.closeDispatcher(dispatcher);
            throw new IllegalStateException("cannot read " + topology.platformStream() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            consumer.stop();
            consumer.close();
        } catch (Exception e) {
            LOG.debug("closing a live feed", e);
        } finally {
            nats.closeDispatcher(dispatcher);
        }
    }
}
