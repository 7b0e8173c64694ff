package dev.spine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every event of the platform stream into the {@link EventStore}, on its own durable consumer
 * (shared by all instances) and the bus's own connection pool: the event-to-job path never waits for it.
 * Events are inserted in batches (one statement per batch) and acknowledged after the insert commits, so
 * a crash means redelivery and the eventId key makes that a no-op. An event that is not a valid envelope
 * is skipped (the job service records it as rejected); an event PostgreSQL refuses (e.g. a NUL character
 * that jsonb cannot hold) is logged and skipped, never retried forever.
 */
final class EventStoreWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStoreWriter.class);
    /** How long the writer waits for a further event before writing a partial batch. */
    static final Duration LINGER = Duration.ofMillis(20);
    /** Pause and redelivery delay after PostgreSQL failed. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    static final Duration ACK_WAIT = Duration.ofSeconds(60);

    private final Connection nats;
    private final String stream;
    private final String durable;
    private final int batchSize;
    private final EventStore store;
    private final EventCodec codec;
    private final List<String> partitionPointers;
    private final BusMetrics metrics;
    private volatile boolean running;
    private volatile long lastStoredSequence;
    private IterableConsumer consumer;
    private Thread loop;

    EventStoreWriter(Connection nats, String stream, String durable, int batchSize, EventStore store, EventCodec codec,
            List<String> partitionPointers, BusMetrics metrics) {
        this.metrics = metrics;
        this.nats = nats;
        this.stream = stream;
        this.durable = durable;
        this.batchSize = batchSize;
        this.store = store;
        this.codec = codec;
        this.partitionPointers = partitionPointers;
    }

    synchronized void start() {
        try {
            ConsumerContext context = nats.getStreamContext(stream).createOrUpdateConsumer(ConsumerConfiguration
                    .builder().durable(durable).ackPolicy(AckPolicy.Explicit).ackWait(ACK_WAIT).maxDeliver(-1)
                    .maxAckPending(Math.max(batchSize * 4, 1000)).deliverPolicy(DeliverPolicy.All).build());
            consumer = context.iterate(ConsumeOptions.builder().batchSize(Math.max(batchSize * 2, 256)).build());
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot create the event-store consumer " + stream + "/" + durable + ": "
                    + e.getMessage(), e);
        }
        running = true;
        loop = new Thread(this::run, "spine-bus-event-store");
        loop.setDaemon(true);
        loop.start();
        LOG.info("event store: copying {} as durable {}", stream, durable);
    }

    /** The highest stream sequence written so far by this instance (tests wait on it). */
    long lastStoredSequence() {
        return lastStoredSequence;
    }

    private void run() {
        List<Message> batch = new ArrayList<>();
        while (running) {
            try {
                Message first = consumer.nextMessage(Duration.ofMillis(500));
                if (first == null) {
                    continue;
                }
                batch.add(first);
                while (batch.size() < batchSize) {
                    Message m = consumer.nextMessage(LINGER);
                    if (m == null) {
                        break;
                    }
                    batch.add(m);
                }
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warn("event store: writing {} events failed; retrying in {}", batch.size(), RETRY_DELAY, e);
                batch.forEach(m -> m.nakWithDelay(RETRY_DELAY));
                try {
                    Thread.sleep(RETRY_DELAY.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Message> batch) throws SQLException {
        List<EventStore.Row> rows = new ArrayList<>(batch.size());
        for (Message m : batch) {
            EventStore.Row row = row(m);
            if (row != null) {
                rows.add(row);
            }
        }
        if (!rows.isEmpty()) {
            try {
                store.insert(stream, rows);
            } catch (SQLException e) {
                if (!isDataError(e)) {
                    throw e;
                }
                // one row PostgreSQL refuses must not block the rest: write them one by one
                for (EventStore.Row r : rows) {
                    try {
                        store.insert(stream, List.of(r));
                    } catch (SQLException one) {
                        if (!isDataError(one)) {
                            throw one;
                        }
                        LOG.warn("event store: skipping event {} at sequence {}: {}", r.eventId(), r.sequence(),
                                one.getMessage());
                    }
                }
            }
        }
        for (Message m : batch) {
            m.ack();
        }
        metrics.stored.inc(rows.size());
        lastStoredSequence = batch.get(batch.size() - 1).metaData().streamSequence();
    }

    private EventStore.Row row(Message m) {
        EventEnvelope e;
        try {
            e = codec.decode(m.getData());
        } catch (InvalidEventException ex) {
            return null;
        }
        return new EventStore.Row(e.eventId(), m.metaData().streamSequence(), e.eventType(), e.source(),
                e.correlationId(), partitionKey(e), DateTimeFormatter.ISO_INSTANT.format(e.timestamp()),
                new String(m.getData(), StandardCharsets.UTF_8));
    }

    /** The first of the configured JSON pointers that names a scalar in the envelope. */
    String partitionKey(EventEnvelope e) {
        for (String pointer : partitionPointers) {
            JsonNode v = lookUp(e, pointer);
            if (v != null && v.isValueNode() && !v.isNull() && !v.asText().isEmpty()) {
                return v.asText();
            }
        }
        return null;
    }

    private static JsonNode lookUp(EventEnvelope e, String pointer) {
        int slash = pointer.indexOf('/', 1);
        String head = slash < 0 ? pointer.substring(1) : pointer.substring(1, slash);
        String rest = slash < 0 ? "" : pointer.substring(slash);
        JsonNode root = switch (head) {
            case "data" -> e.data();
            case "source" -> codecText(e.source());
            case "tenantId" -> codecText(e.tenantId());
            default -> e.extensions().get(head);
        };
        return root == null ? null : rest.isEmpty() ? root : root.at(rest);
    }

    private static JsonNode codecText(String s) {
        return s == null ? null : com.fasterxml.jackson.databind.node.TextNode.valueOf(s);
    }

    private static boolean isDataError(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }

    @Override
    public synchronized void close() {
        running = false;
        if (consumer != null) {
            try {
                consumer.stop();
            } catch (RuntimeException e) {
                LOG.debug("stopping the event-store consumer", e);
            }
        }
        if (loop != null) {
            try {
                loop.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
