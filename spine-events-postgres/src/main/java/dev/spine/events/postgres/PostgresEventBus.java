package dev.spine.events.postgres;

import dev.spine.contracts.Domains;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.BatchHandler;
import dev.spine.events.BusStatus;
import dev.spine.events.ConsumerStats;
import dev.spine.events.EventBus;
import dev.spine.events.EventReader;
import dev.spine.events.EventHandler;
import dev.spine.events.EventSubscription;
import dev.spine.events.LiveFeed;
import dev.spine.events.LiveFeedHandler;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.PublishResult;
import dev.spine.events.StoredEvent;
import dev.spine.events.StreamStats;
import dev.spine.events.SubscriptionOptions;
import dev.spine.events.TraceContexts;
import dev.spine.events.postgres.internal.BusSql;
import dev.spine.events.postgres.internal.PgBatchSubscription;
import dev.spine.events.postgres.internal.PgLiveFeed;
import dev.spine.events.postgres.internal.PgReads;
import dev.spine.events.postgres.internal.PgSubscription;
import dev.spine.events.postgres.internal.PgTracing;
import dev.spine.events.postgres.internal.Sql;
import dev.spine.postgres.SchemaMigrator;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * The event bus on PostgreSQL alone ({@code SPINE_EVENT_BUS=postgres}), for deployments without NATS:
 * a {@code domain_events} table, one group per durable name, one delivery row per group and event.
 *
 * <p>Guarantees (the same contract as the NATS spine): events are validated (domain, JSON Schema, size)
 * before they are stored; the same eventId is stored once (for as long as it is kept, see
 * {@link #pruneFinishedBefore}); each durable name gets every matching event (fan-out), its instances
 * compete (each event to one of them); a failing handler is retried after the subscription's backoff,
 * dead after {@code maxDeliver} deliveries or at once when it throws
 * {@link dev.spine.events.EventRejectedException}. Order: within a group, events of one topic are handled
 * in publish order, one at a time (a topic is taken by one worker at a time, under an advisory lock), and
 * topics run in parallel; the topic is the event's partition key when it has one, else its type. A failed
 * event holds back the later events of its topic until it succeeds or is dead.
 * Delivery is at-least-once: a worker that dies mid-batch leaves its unfinished events to another.
 *
 * <p>Of {@link SubscriptionOptions} it uses the durable name, event types, {@code maxDeliver}, backoff,
 * batch size, {@code newEventsOnly}, {@code startSequence} (an id of {@code domain_events}) and stop timeout;
 * batch subscriptions also {@code linger} and {@code ackWait} (the lease of a claimed delivery). The NATS-only
 * ones ({@code maxAckPending}, {@code pullExpiry}, {@code stream}) are ignored. Per-event subscriptions
 * always order per topic; batch subscriptions take due deliveries in id order, unordered per topic.
 *
 * <p>Reads ({@link dev.spine.events.EventReader}): the sequence is the {@code domain_events} id. Live feeds
 * poll the table every {@code pollInterval} (a publish of this process wakes them); a gap in the ids is
 * waited for briefly, as an earlier id may commit after a later one.
 *
 * <p>Costs: one transaction per publish, a poll per idle subscriber every {@code pollInterval} (a
 * publish in the same process wakes its subscribers at once), and one connection held per subscription.
 */
public final class PostgresEventBus implements EventBus {
    private final DataSource dataSource;
    private final BusSql sql;
    private final EventCodec codec;
    private final Domains domains;
    private final EventSchemas schemas;
    private final Duration pollInterval;
    private final PgReads reads;
    private final PgTracing tracing;
    private final List<PgSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<PgBatchSubscription> batchSubscriptions = new CopyOnWriteArrayList<>();
    private final List<PgLiveFeed> feeds = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private PostgresEventBus(Builder b, Sql sql) {
        this.dataSource = b.dataSource;
        this.sql = BusSql.in(sql);
        this.codec = b.codec;
        this.domains = b.domains;
        this.schemas = b.schemas;
        this.pollInterval = b.pollInterval;
        this.reads = new PgReads(dataSource, this.sql, codec);
        this.tracing = new PgTracing(b.openTelemetry);
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Stores the event for every group whose patterns match, in one transaction. An event without a trace
     * context of its own, published while a span is current (a job handler's follow-up), is stored with that
     * span's, so its subscribers and the jobs made of it continue the trace (this backend keeps no headers).
     *
     * @throws dev.spine.contracts.InvalidEventException before storing, for an invalid event
     * @throws PostgresEventsException if PostgreSQL fails
     */
    @Override
    public PublishResult publish(EventEnvelope event) {
        domains.require(event.eventType());
        schemas.validate(event);
        byte[] payload = codec.encode(TraceContexts.withCurrentTrace(event));
        PublishResult result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                result = store(c, event, payload);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot publish " + event + " to " + sql.schema + ".domain_events", e);
        }
        if (!result.duplicate()) {
            subscriptions.forEach(PgSubscription::wakeUp);
            batchSubscriptions.forEach(PgBatchSubscription::wakeUp);
            feeds.removeIf(f -> !f.isOpen()); // ended by their handlers
            feeds.forEach(PgLiveFeed::wakeUp);
        }
        return result;
    }

    private PublishResult store(Connection c, EventEnvelope event, byte[] payload) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql.lockGroupsShared)) {
            p.setString(1, sql.schema);
            p.execute();
        }
        Long id = null;
        try (PreparedStatement p = c.prepareStatement(sql.insertEvent)) {
            p.setObject(1, event.eventId());
            p.setString(2, event.eventType());
            p.setString(3, topicOf(event));
            p.setBytes(4, payload);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    id = rs.getLong(1);
                }
            }
        }
        if (id == null) {
            try (PreparedStatement p = c.prepareStatement(sql.findEvent)) {
                p.setObject(1, event.eventId());
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    return new PublishResult(sql.schema + ".domain_events", rs.getLong(1), true);
                }
            }
        }
        try (PreparedStatement p = c.prepareStatement(sql.fanOut)) {
            String type = event.eventType();
            p.setLong(1, id);
            p.setString(2, topicOf(event));
            p.setString(3, type);
            p.setString(4, type.substring(0, type.indexOf('.')) + ".*");
            p.executeUpdate();
        }
        return new PublishResult(sql.schema + ".domain_events", id, false);
    }

    /** What a group orders by: the partition key when the event has one, else its type. */
    private static String topicOf(EventEnvelope event) {
        return event.partitionKey() != null ? "key:" + event.partitionKey() : "type:" + event.eventType();
    }

    /** {@code postgresql}: the spans of its events' processing say so. */
    @Override
    public String messagingSystem() {
        return PgTracing.SYSTEM;
    }

    /** Publishes on the calling thread (PostgreSQL has no asynchronous acknowledgement to wait for). */
    @Override
    public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
        try {
            return CompletableFuture.completedFuture(publish(event));
        } catch (dev.spine.contracts.InvalidEventException e) {
            throw e;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Registers the durable group (first time: with every stored matching event unless
     * {@code newEventsOnly}; later: its patterns are replaced, for new events) and starts a worker.
     */
    @Override
    public EventSubscription subscribe(SubscriptionOptions options, EventHandler handler) {
        if (closed) {
            throw new IllegalStateException("event bus is closed");
        }
        registerGroup(options);
        PgSubscription[] self = new PgSubscription[1];
        PgSubscription s = new PgSubscription(dataSource, sql, codec, options, handler, pollInterval, tracing,
                () -> subscriptions.remove(self[0]));
        self[0] = s;
        subscriptions.add(s);
        s.start();
        return s;
    }

    /**
     * Registers the group as {@link #subscribe} does and starts a batch worker (see
     * {@link dev.spine.events.EventSubscriber#subscribeBatch}): claimed deliveries are leased for
     * {@code ackWait}; {@link dev.spine.events.Delivery#term} finishes a delivery without making it dead.
     */
    @Override
    public EventSubscription subscribeBatch(SubscriptionOptions options, BatchHandler handler) {
        if (closed) {
            throw new IllegalStateException("event bus is closed");
        }
        if (options.orderedByPartitionKey()) {
            throw new IllegalArgumentException("orderedByPartitionKey: not supported by subscribeBatch (use subscribe)");
        }
        registerGroup(options);
        PgBatchSubscription[] self = new PgBatchSubscription[1];
        PgBatchSubscription s = new PgBatchSubscription(dataSource, sql, codec, options, handler, pollInterval,
                () -> batchSubscriptions.remove(self[0]));
        self[0] = s;
        batchSubscriptions.add(s);
        s.start();
        return s;
    }

    /** Deletes the group and its deliveries (done, pending and dead). */
    @Override
    public boolean removeDurable(String durableName) {
        try {
            return reads.deleteGroup(durableName);
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot remove group " + durableName + " from " + sql.schema, e);
        }
    }

    @Override
    public java.util.Optional<ConsumerStats> consumer(String durableName) {
        try {
            return reads.backlog(durableName);
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot read group " + durableName + " of " + reads.stream(), e);
        }
    }

    /** The highest {@code domain_events} id. */
    @Override
    public long lastSequence() {
        try {
            return reads.lastSequence();
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot read the position of " + reads.stream(), e);
        }
    }

    @Override
    public List<StoredEvent> read(long fromSequence, int limit) {
        EventReader.checkRead(fromSequence, limit);
        try {
            return reads.read(fromSequence, limit);
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot read " + reads.stream(), e);
        }
    }

    @Override
    public List<StoredEvent> newest(int limit) {
        EventReader.checkRead(1, limit);
        try {
            return reads.newest(limit);
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot read " + reads.stream(), e);
        }
    }

    private static void checkRead(long fromSequence, int limit) {
        if (fromSequence < 1) {
            throw new IllegalArgumentException("fromSequence must be >= 1, got " + fromSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
    }

    /** A polling feed (see the class comment); one thread per feed. */
    @Override
    public LiveFeed live(LiveFeedOptions options, LiveFeedHandler handler) {
        long after = options.isNewEventsOnly() ? lastSequence() : options.afterSequence();
        PgLiveFeed f = new PgLiveFeed(reads, options, handler, pollInterval, after);
        feeds.add(f);
        f.start("spine-pg-live-" + sql.schema);
        return new LiveFeed() {
            @Override
            public boolean isOpen() {
                return f.isOpen();
            }

            @Override
            public void close() {
                f.close();
                feeds.remove(f);
            }
        };
    }

    /** Up if a connection answers within {@link #STATUS_TIMEOUT}. */
    @Override
    public BusStatus status() {
        try (Connection c = dataSource.getConnection()) {
            boolean valid = c.isValid((int) STATUS_TIMEOUT.toSeconds());
            return new BusStatus(valid, valid ? "PostgreSQL " + sql.schema + " reachable"
                    : "PostgreSQL did not answer within " + STATUS_TIMEOUT.toSeconds() + " s");
        } catch (SQLException e) {
            return new BusStatus(false, "PostgreSQL unreachable: " + e.getMessage());
        }
    }

    /** The one table every event is stored in. */
    @Override
    public List<StreamStats> streams() {
        try {
            return List.of(reads.stats());
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot read " + reads.stream(), e);
        }
    }

    /** How long {@link #status()} waits for PostgreSQL. */
    public static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    private void registerGroup(SubscriptionOptions options) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement p = c.prepareStatement(sql.lockGroups)) {
                    p.setString(1, sql.schema);
                    p.execute();
                }
                Object[] patterns = options.eventPatterns().toArray();
                boolean created;
                try (PreparedStatement p = c.prepareStatement(sql.upsertGroup)) {
                    p.setString(1, options.durableName());
                    p.setArray(2, c.createArrayOf("text", patterns));
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        created = rs.getBoolean(1);
                    }
                }
                if (created && !options.newEventsOnly()) {
                    try (PreparedStatement p = c.prepareStatement(sql.backfill)) {
                        p.setString(1, options.durableName());
                        for (int i = 2; i <= 4; i++) {
                            p.setArray(i, c.createArrayOf("text", patterns));
                        }
                        p.setLong(5, Math.max(1, options.startSequence()));
                        p.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot register group " + options.durableName() + " in " + sql.schema, e);
        }
    }

    /** A delivery that failed for good: the event, its group, how often it was tried and the last error. */
    public record DeadDelivery(String group, long eventRow, EventEnvelope event, int attempts, String error) {}

    /** Dead deliveries of {@code group}, oldest first. */
    public List<DeadDelivery> deadLetters(String group, int limit) {
        List<DeadDelivery> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.listDead)) {
            p.setString(1, group);
            p.setInt(2, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadDelivery(group, rs.getLong(1), codec.decode(rs.getBytes(4)), rs.getInt(2),
                            rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot list dead deliveries of " + group, e);
        }
        return out;
    }

    /** Makes a dead delivery available again (attempts start over); false if it is not dead. */
    public boolean redrive(DeadDelivery dead) {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.redrive)) {
            p.setString(1, dead.group());
            p.setLong(2, dead.eventRow());
            boolean changed = p.executeUpdate() == 1;
            subscriptions.forEach(PgSubscription::wakeUp);
            return changed;
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot redrive " + dead, e);
        }
    }

    /**
     * Deletes deliveries finished before {@code cutoff}, then events older than it that no group still
     * needs. An event's id deduplicates only while it is kept: keep longer than publishers retry.
     */
    public int pruneFinishedBefore(Instant cutoff) {
        try (Connection c = dataSource.getConnection()) {
            int n;
            try (PreparedStatement p = c.prepareStatement(sql.pruneDeliveries)) {
                p.setTimestamp(1, Timestamp.from(cutoff));
                n = p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement(sql.pruneEvents)) {
                p.setTimestamp(1, Timestamp.from(cutoff));
                n += p.executeUpdate();
            }
            return n;
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot prune " + sql.schema + ".domain_events", e);
        }
    }

    /** Stops every subscription (each finishes the event it is handling). The data source is the caller's. */
    @Override
    public void close() {
        closed = true;
        List<PgSubscription> all = new ArrayList<>(subscriptions);
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
        new ArrayList<>(batchSubscriptions).forEach(PgBatchSubscription::close);
        feeds.forEach(PgLiveFeed::close);
    }

    /** Options of a {@link PostgresEventBus}; {@link #build()} checks them and migrates the schema ({@link #autoMigrate}). */
    public static final class Builder {
        /** How often an idle subscriber looks for events published by other processes. */
        public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

        private final DataSource dataSource;
        private String schema = Outbox.Builder.DEFAULT_SCHEMA;
        private EventCodec codec = EventCodec.defaults();
        private Domains domains = Domains.defaults();
        private EventSchemas schemas;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private boolean autoMigrate = SchemaMigrator.DEFAULT_AUTO_MIGRATE;
        private OpenTelemetry openTelemetry;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        public Builder schema(String v) { this.schema = v; return this; }
        public Builder codec(EventCodec v) { this.codec = v; return this; }
        public Builder domains(Domains v) { this.domains = v; return this; }
        /** Default {@link EventSchemas#fromClasspath()}. */
        public Builder schemas(EventSchemas v) { this.schemas = v; return this; }
        public Builder pollInterval(Duration v) { this.pollInterval = v; return this; }
        /**
         * Whether {@link #build()} creates and upgrades the tables (default true), or only validates them, for
         * teams that migrate in a deploy step ({@link EventTables#schemaMigrator}).
         */
        public Builder autoMigrate(boolean v) { this.autoMigrate = v; return this; }
        /**
         * Tracing of subscribers' handling (a CONSUMER span per event, as on NATS); default
         * {@link GlobalOpenTelemetry#get()}, a no-op unless an SDK was registered.
         */
        public Builder openTelemetry(OpenTelemetry v) { this.openTelemetry = v; return this; }

        public PostgresEventBus build() {
            Sql sql = Sql.in(schema);
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(domains, "domains");
            if (pollInterval == null || pollInterval.isZero() || pollInterval.isNegative()) {
                throw new IllegalArgumentException("pollInterval must be a positive duration, got " + pollInterval);
            }
            if (schemas == null) {
                schemas = EventSchemas.fromClasspath();
            }
            if (openTelemetry == null) {
                openTelemetry = GlobalOpenTelemetry.get();
            }
            EventTables.schemaMigrator(dataSource, sql.schema, autoMigrate).ensureCurrent();
            return new PostgresEventBus(this, sql);
        }
    }
}
