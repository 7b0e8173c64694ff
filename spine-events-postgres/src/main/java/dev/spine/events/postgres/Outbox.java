package dev.spine.events.postgres;

import dev.spine.contracts.Domains;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.EventPublisher;
import dev.spine.events.TraceContexts;
import dev.spine.events.postgres.internal.Sql;
import dev.spine.postgres.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The transactional outbox: a service writes its business rows and its events in the same PostgreSQL
 * transaction, and {@link OutboxRelay} publishes the committed events to JetStream.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder(dataSource).build();        // migrates its tables
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     insertOrder(c, order);
 *     outbox.add(c, ORDER_PLACED.envelope("shop", order).build(), order.id());   // partition key
 *     c.commit();                                             // the event exists iff the order does
 * }
 * }</pre>
 *
 * <p>Guarantees: {@link #add} validates the event (registered domain, JSON Schema, size) before writing,
 * so the caller's transaction fails instead of the relay later; a rolled-back transaction leaves no
 * event; events with the same partition key are written one transaction at a time (a transaction-scoped
 * advisory lock per key, held until commit), so their outbox order is their commit order, which the
 * relay keeps on the stream. The current trace is stamped into an event that has none, so the trace
 * continues through the relay. Thread-safe.
 *
 * <p>Immediate mode ({@link Builder#immediatePublisher}): {@link #transaction} commits and then publishes
 * the transaction's events at once, marking them sent; whatever fails to publish is left to the relay,
 * which stays the safety net. A key's events are published immediately only when no earlier event of
 * that key is still unsent (otherwise the relay sends them after it), so order per key holds across
 * transactions and processes in this mode too.
 */
public final class Outbox {

    private final DataSource dataSource;
    private final Sql sql;
    private final EventCodec codec;
    private final Domains domains;
    private final EventSchemas schemas;
    private final EventPublisher immediatePublisher;

    private Outbox(Builder b) {
        this.dataSource = b.dataSource;
        this.sql = Sql.in(b.schema);
        this.codec = b.codec;
        this.domains = b.domains;
        this.schemas = b.schemas;
        this.immediatePublisher = b.immediatePublisher;
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The schema holding the outbox table. */
    public String schema() {
        return sql.schema;
    }

    /**
     * {@link #add(Connection, EventEnvelope, String)} keyed by the envelope's own
     * {@link EventEnvelope#partitionKey()}; without one the event has no order relative to others.
     */
    public void add(Connection connection, EventEnvelope event) {
        add(connection, event, event.partitionKey());
    }

    /**
     * Writes {@code event} in {@code connection}'s current transaction (the caller commits or rolls back).
     *
     * @param partitionKey events with the same key are published in commit order (e.g. the aggregate id);
     *     {@code null} for none. It is also stamped into the published envelope as its
     *     {@code partitionKey}, so subscribers can order by it; an envelope that already carries a
     *     different one is refused.
     * @throws dev.spine.contracts.InvalidEventException before writing, for an unregistered domain, a
     *     schema violation or an oversized event
     * @throws PostgresEventsException if the row cannot be written
     */
    public void add(Connection connection, EventEnvelope event, String partitionKey) {
        write(connection, event, partitionKey);
    }

    /** A row written by this outbox: its id, key and the envelope as stored. */
    record Written(long id, String partitionKey, EventEnvelope envelope) {}

    /** Writes the event and returns it as stored (with the stamped partition key and trace context). */
    private Written write(Connection connection, EventEnvelope event, String partitionKey) {
        Objects.requireNonNull(connection, "connection");
        if (partitionKey != null && partitionKey.isEmpty()) {
            throw new IllegalArgumentException("partitionKey must be null or non-empty");
        }
        if (partitionKey != null && event.partitionKey() != null && !partitionKey.equals(event.partitionKey())) {
            throw new IllegalArgumentException("partitionKey '" + partitionKey + "' differs from the envelope's '"
                    + event.partitionKey() + "'");
        }
        EventEnvelope stored = prepare(event, partitionKey);
        byte[] payload = codec.encode(stored);
        try {
            PreparedStatement p;
            if (partitionKey == null) {
                p = connection.prepareStatement(sql.addUnkeyed);
                p.setObject(1, event.eventId());
                p.setString(2, event.eventType());
                p.setBytes(3, payload);
            } else {
                p = connection.prepareStatement(sql.add);
                p.setString(1, sql.schema + ".outbox");
                p.setString(2, partitionKey);
                p.setObject(3, event.eventId());
                p.setString(4, event.eventType());
                p.setString(5, partitionKey);
                p.setBytes(6, payload);
            }
            try (p; ResultSet rs = p.executeQuery()) {
                rs.next();
                return new Written(rs.getLong(1), partitionKey, stored);
            }
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot add " + event + " to " + sql.schema + ".outbox", e);
        }
    }

    private EventEnvelope prepare(EventEnvelope event, String partitionKey) {
        domains.require(event.eventType());
        schemas.validate(event);
        EventEnvelope traced = TraceContexts.withCurrentTrace(event);
        if (partitionKey == null || traced.partitionKey() != null) {
            return traced;
        }
        return traced.toBuilder().partitionKey(partitionKey).build();
    }

    /** Work done in one transaction by {@link #transaction}. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(OutboxTransaction tx) throws Exception;
    }

    /** The transaction {@link TransactionWork} runs in: its connection and the events it adds. */
    public final class OutboxTransaction {
        private final Connection connection;
        private final List<Written> added = new ArrayList<>();

        private OutboxTransaction(Connection connection) {
            this.connection = connection;
        }

        /** The transaction's connection, for the business writes (do not commit or close it). */
        public Connection connection() {
            return connection;
        }

        /** {@link Outbox#add(Connection, EventEnvelope, String)} in this transaction. */
        public void add(EventEnvelope event, String partitionKey) {
            added.add(write(connection, event, partitionKey)); // immediate mode sends what the relay would
        }

        public void add(EventEnvelope event) {
            add(event, event.partitionKey());
        }
    }

    /**
     * Runs {@code work} in one transaction on a connection of this outbox's data source and commits it;
     * rolls back if {@code work} throws (then no event exists). In immediate mode the committed events
     * are then published at once, in the order added; the publish happens after the commit, so it
     * never makes the transaction fail, and what it misses the relay publishes.
     */
    public <T> T transaction(TransactionWork<T> work) {
        List<Written> committed;
        T result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            OutboxTransaction tx = new OutboxTransaction(c);
            try {
                result = work.run(tx);
                c.commit();
            } catch (Exception | Error e) {
                c.rollback();
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new PostgresEventsException("transaction failed and was rolled back", e);
            }
            committed = tx.added;
        } catch (SQLException e) {
            throw new PostgresEventsException("outbox transaction failed", e);
        }
        if (immediatePublisher != null && !committed.isEmpty()) {
            new ImmediatePublish(dataSource, sql, immediatePublisher).publish(committed);
        }
        return result;
    }

    /** Options of an {@link Outbox}; {@link #build()} checks them and migrates the schema. */
    public static final class Builder {
        /** The schema of the outbox, processing log and history tables unless one is given. */
        public static final String DEFAULT_SCHEMA = "spine_events";

        private final DataSource dataSource;
        private String schema = DEFAULT_SCHEMA;
        private EventCodec codec = EventCodec.defaults();
        private Domains domains = Domains.defaults();
        private EventSchemas schemas;
        private EventPublisher immediatePublisher;
        private boolean autoMigrate = SchemaMigrator.DEFAULT_AUTO_MIGRATE;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Default {@value #DEFAULT_SCHEMA}. */
        public Builder schema(String v) { this.schema = v; return this; }
        /** The codec events are stored with (its size limit applies); default {@link EventCodec#defaults()}. */
        public Builder codec(EventCodec v) { this.codec = v; return this; }
        /** Domains accepted; use the same as the spine's topology. Default {@link Domains#defaults()}. */
        public Builder domains(Domains v) { this.domains = v; return this; }
        /** Schemas checked on add; default {@link EventSchemas#fromClasspath()}. */
        public Builder schemas(EventSchemas v) { this.schemas = v; return this; }
        /** Turns on immediate mode for {@link Outbox#transaction}: publish right after commit. */
        public Builder immediatePublisher(EventPublisher v) { this.immediatePublisher = v; return this; }
        /**
         * Whether {@link #build()} creates and upgrades the tables (default true), or only validates them: it then
         * writes nothing and fails naming the first script not applied ({@link EventTables#schemaMigrator}).
         */
        public Builder autoMigrate(boolean v) { this.autoMigrate = v; return this; }

        public Outbox build() {
            Sql.checkSchema(schema);
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(domains, "domains");
            if (schemas == null) {
                schemas = EventSchemas.fromClasspath();
            }
            Outbox outbox = new Outbox(this);
            EventTables.schemaMigrator(dataSource, schema, autoMigrate).ensureCurrent();
            return outbox;
        }
    }
}
