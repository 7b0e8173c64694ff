package dev.spine.events.postgres;

import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.EventCodec;
import dev.spine.events.EventPublisher;
import dev.spine.events.postgres.internal.Sql;
import dev.spine.postgres.SchemaMigrator;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/** Options of an {@link OutboxRelay}; {@link #build()} names a bad field and migrates the schema. */
public final class OutboxRelayBuilder {
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_STANDBY_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    /**
     * Attempts of one row before it becomes a dead letter: with the default backoffs about 90 minutes of
     * failures (1 s doubling to 5 min), longer than most broker outages, short of holding a key back forever.
     */
    public static final int DEFAULT_MAX_ATTEMPTS = 25;
    /** Sent rows are kept this long (longer than the stream's duplicate window), then deleted. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofMinutes(1);

    final DataSource dataSource;
    final EventPublisher publisher;
    String schema = Outbox.Builder.DEFAULT_SCHEMA;
    EventCodec codec = EventCodec.defaults();
    String name = "relay";
    int batchSize = DEFAULT_BATCH_SIZE;
    Duration pollInterval = DEFAULT_POLL_INTERVAL;
    Duration standbyInterval = DEFAULT_STANDBY_INTERVAL;
    Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    Duration retention = DEFAULT_RETENTION;
    Duration cleanupInterval = DEFAULT_CLEANUP_INTERVAL;
    MetricRegistry metricRegistry;
    Clock clock = Clock.systemUTC();
    boolean autoMigrate = SchemaMigrator.DEFAULT_AUTO_MIGRATE;

    OutboxRelayBuilder(DataSource dataSource, EventPublisher publisher) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
    }

    public OutboxRelayBuilder schema(String v) { this.schema = v; return this; }
    /** Must read what the outbox's codec wrote (same size limit or larger). */
    public OutboxRelayBuilder codec(EventCodec v) { this.codec = v; return this; }
    /** Names the relay in logs, its thread and its PostgreSQL application_name. */
    public OutboxRelayBuilder name(String v) { this.name = v; return this; }
    public OutboxRelayBuilder batchSize(int v) { this.batchSize = v; return this; }
    /** How long an idle leader waits before looking again. */
    public OutboxRelayBuilder pollInterval(Duration v) { this.pollInterval = v; return this; }
    /** How often a standby tries to take over; keep it well under the duplicate window. */
    public OutboxRelayBuilder standbyInterval(Duration v) { this.standbyInterval = v; return this; }
    public OutboxRelayBuilder initialBackoff(Duration v) { this.initialBackoff = v; return this; }
    public OutboxRelayBuilder maxBackoff(Duration v) { this.maxBackoff = v; return this; }
    /** Attempts of a row before it moves to the dead letters (a refusal for good moves it at once); >= 1. */
    public OutboxRelayBuilder maxAttempts(int v) { this.maxAttempts = v; return this; }
    public OutboxRelayBuilder retention(Duration v) { this.retention = v; return this; }
    public OutboxRelayBuilder cleanupInterval(Duration v) { this.cleanupInterval = v; return this; }
    public OutboxRelayBuilder metricRegistry(MetricRegistry v) { this.metricRegistry = v; return this; }
    /** Decides retry times and lag; tests pass a settable clock. */
    public OutboxRelayBuilder clock(Clock v) { this.clock = v; return this; }
    /** Whether {@link #build()} creates and upgrades the tables (default true), or only validates them. */
    public OutboxRelayBuilder autoMigrate(boolean v) { this.autoMigrate = v; return this; }

    public OutboxRelay build() {
        Sql.checkSchema(schema);
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(clock, "clock");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must be non-blank");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        positive("pollInterval", pollInterval);
        positive("standbyInterval", standbyInterval);
        positive("initialBackoff", initialBackoff);
        positive("maxBackoff", maxBackoff);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff, got " + maxBackoff);
        }
        positive("retention", retention);
        positive("cleanupInterval", cleanupInterval);
        OutboxRelay relay = new OutboxRelay(this);
        EventTables.schemaMigrator(dataSource, schema, autoMigrate).ensureCurrent();
        return relay;
    }

    private static void positive(String field, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
        }
    }
}
