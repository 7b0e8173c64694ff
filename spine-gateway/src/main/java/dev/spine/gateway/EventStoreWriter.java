package dev.spine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.Delivery;
import dev.spine.events.EventBus;
import dev.spine.events.EventSubscription;
import dev.spine.events.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every event of the bus's main stream into the {@link EventStore}, on its own durable batch
 * subscription (shared by all instances) and the gateway's own PostgreSQL pool: the event-to-job path never
 * waits for it. Each batch is inserted with one statement and acknowledged after the insert commits, so a
 * crash means redelivery and the eventId key makes that a no-op. An event that is not a valid envelope is
 * skipped (the job service records it as rejected); an event PostgreSQL refuses (e.g. a NUL character that
 * jsonb cannot hold) is logged and skipped, never retried forever. Any other failure (PostgreSQL away)
 * hands the whole batch back, redelivered after {@link #RETRY_DELAY} for as long as it takes.
 *
 * <p>It consumes through {@link EventBus#subscribeBatch}, so it runs on every backend; on NATS that also
 * gives it the subscriptions' short pull expiry ({@link SubscriptionOptions#DEFAULT_PULL_EXPIRY}), which its
 * own jnats loop lacked (a pull lost in a server restart was noticed only after jnats' 30 s default).
 */
final class EventStoreWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStoreWriter.class);
    /** How long a batch waits for further events while they arrive in bursts, before a partial batch is written. */
    static final Duration LINGER = Duration.ofMillis(20);
    /** Redelivery delay (and pause of the subscription) after PostgreSQL failed. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    static final Duration ACK_WAIT = Duration.ofSeconds(60);

    private final EventBus bus;
    private final String durable;
    private final int batchSize;
    private final EventStore store;
    private final List<String> partitionPointers;
    private final BusMetrics metrics;
    private volatile long lastStoredSequence;
    private EventSubscription subscription;

    EventStoreWriter(EventBus bus, String durable, int batchSize, EventStore store, List<String> partitionPointers,
            BusMetrics metrics) {
        this.metrics = metrics;
        this.bus = bus;
        this.durable = durable;
        this.batchSize = batchSize;
        this.store = store;
        this.partitionPointers = partitionPointers;
    }

    synchronized void start() {
        // from the start of the stream on first start (the store gets what the stream still holds), then
        // from where the durable stopped; never dead-lettered: only a data error skips an event
        subscription = bus.subscribeBatch(SubscriptionOptions.durable(durable).batchSize(batchSize).linger(LINGER)
                .maxDeliver(SubscriptionOptions.UNLIMITED_DELIVERIES).ackWait(ACK_WAIT).backoff(RETRY_DELAY)
                .maxAckPending(Math.max(batchSize * 4, 1000)).build(), this::write);
        LOG.info("event store: copying the bus's events as durable {}", durable);
    }

    /** The highest stream sequence written so far by this instance (tests wait on it). */
    long lastStoredSequence() {
        return lastStoredSequence;
    }

    /** Throwing hands the batch back: the subscription logs it and redelivers after {@link #RETRY_DELAY}. */
    private void write(List<Delivery> batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        String stream = batch.get(0).stream();
        List<EventStore.Row> rows = new ArrayList<>(batch.size());
        for (Delivery d : batch) {
            EventStore.Row row = row(d);
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
        for (Delivery d : batch) {
            d.ack();
        }
        metrics.stored.inc(rows.size());
        lastStoredSequence = batch.get(batch.size() - 1).sequence();
    }

    private EventStore.Row row(Delivery d) {
        EventEnvelope e;
        try {
            e = d.envelope();
        } catch (InvalidEventException ex) {
            return null;
        }
        return new EventStore.Row(e.eventId(), d.sequence(), e.eventType(), e.source(),
                e.correlationId(), partitionKey(e), DateTimeFormatter.ISO_INSTANT.format(e.timestamp()),
                new String(d.data(), StandardCharsets.UTF_8));
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
        if (subscription != null) {
            subscription.close(); // finishes the batch in hand; what was not written comes back to the durable
        }
    }
}
