package dev.spine.events.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.LiveFeed;
import dev.spine.events.LiveFeedHandler;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.SpineException;
import dev.spine.events.StoredEvent;
import dev.spine.events.StreamTopology;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.StreamContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live feed over an ordered consumer (ephemeral, flow-controlled, recreated by jnats after a gap or a
 * reconnect) on a dispatcher of its own, so a slow client holds up only its own feed. One pattern filters
 * on the server; several are matched here (multi-filter consumers need nats-server 2.10).
 */
public final class NatsLiveFeed implements LiveFeed {
    private static final Logger LOG = LoggerFactory.getLogger(NatsLiveFeed.class);

    private final Connection connection;
    private final Dispatcher dispatcher;
    private volatile MessageConsumer consumer;
    private volatile boolean open = true;

    private NatsLiveFeed(Connection connection) {
        this.connection = connection;
        this.dispatcher = connection.createDispatcher();
    }

    public static NatsLiveFeed open(Connection connection, StreamTopology topology, String stream, long startAfter,
            LiveFeedOptions options, EventCodec codec, LiveFeedHandler handler) {
        OrderedConsumerConfiguration occ = new OrderedConsumerConfiguration()
                .deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(startAfter + 1);
        boolean filtersHere = options.eventPatterns().size() > 1;
        if (options.eventPatterns().size() == 1) {
            occ.filterSubject(topology.subjectFor(options.eventPatterns().get(0)));
        }
        NatsLiveFeed feed = new NatsLiveFeed(connection);
        try {
            StreamContext sc = connection.getStreamContext(stream);
            feed.consumer = sc.createOrderedConsumer(occ).consume(feed.dispatcher, m -> {
                if (!feed.open) {
                    return;
                }
                String subject = m.getSubject();
                if (filtersHere) {
                    if (!options.matches(topology.eventTypeOf(subject))) {
                        return;
                    }
                }
                try {
                    handler.onEvent(new StoredEvent(stream, DeliveryPosition.of(m).streamSequence(), subject,
                            m.getData(), codec));
                } catch (Exception e) {
                    LOG.debug("live feed of {} ends: its handler threw {}", stream, e.toString());
                    // not on the dispatcher's own thread: closing it from inside its handler would deadlock
                    CompletableFuture.runAsync(feed::close);
                    feed.open = false;
                }
            });
            return feed;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            feed.close();
            throw new SpineException("cannot open a live feed on " + stream + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        open = false;
        MessageConsumer c = consumer;
        consumer = null;
        try {
            if (c != null) {
                c.stop();
                c.close();
            }
        } catch (Exception e) {
            LOG.debug("closing a live feed", e);
        } finally {
            if (dispatcher.isActive()) {
                connection.closeDispatcher(dispatcher);
            }
        }
    }
}
