package dev.spine.events.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstop for events whose handler never returned: when JetStream gives up on an event after
 * maxDeliver deliveries without an ack (e.g. the process died mid-handler on every attempt), it emits
 * {@code $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<durable>}; this reads the event back from
 * its stream and stores it as a dead letter. Every instance of a durable listens; the dead letter's
 * msg id ({@code dl:<stream>:<seq>}, the same the handler path uses) makes the copies one.
 */
public final class MaxDeliveriesWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaxDeliveriesWatcher.class);
    static final String ADVISORY_PREFIX = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.";
    static final String REASON = "max-deliveries-unacked";
    static final String ERROR = "no handler acknowledged the event within AckWait on any of its deliveries "
            + "(process died or hung)";

    private final Connection connection;
    private final JetStreamManagement jsm;
    private final DeadLetterWriter writer;
    private final ObjectMapper mapper;
    private final String stream;
    private final String durable;
    private Dispatcher dispatcher;

    public MaxDeliveriesWatcher(Connection connection, JetStreamManagement jsm, DeadLetterWriter writer,
            ObjectMapper mapper, String stream, String durable) {
        this.connection = connection;
        this.jsm = jsm;
        this.writer = writer;
        this.mapper = mapper;
        this.stream = stream;
        this.durable = durable;
    }

    public synchronized void start() {
        dispatcher = connection.createDispatcher(this::onAdvisory);
        dispatcher.subscribe(ADVISORY_PREFIX + stream + "." + durable);
    }

    private void onAdvisory(Message advisory) {
        long sequence = -1;
        try {
            JsonNode a = mapper.readTree(advisory.getData());
            sequence = a.path("stream_seq").asLong(-1);
            long deliveries = a.path("deliveries").asLong(0);
            MessageInfo stored = jsm.getMessage(stream, sequence);
            writer.write(stored.getSubject(), stored.getHeaders(), stored.getData(), stream, sequence, deliveries,
                    durable, REASON, ERROR);
            LOG.warn("{}/{}: event at sequence {} was never acknowledged in {} deliveries; stored as a dead letter",
                    stream, durable, sequence, deliveries);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.error("{}/{}: max-deliveries advisory for sequence {} could not be turned into a dead letter; "
                    + "the event stays in {} (replay it by sequence)", stream, durable, sequence, stream, e);
        }
    }

    @Override
    public synchronized void close() {
        if (dispatcher != null) {
            connection.closeDispatcher(dispatcher);
            dispatcher = null;
        }
    }
}
