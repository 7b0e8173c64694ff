package dev.spine.events.postgres;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventPublishException;
import dev.spine.events.EventPublisher;
import dev.spine.events.PublishResult;
import dev.spine.events.postgres.internal.KeyOrderedSend;
import dev.spine.events.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox's committed events to JetStream, marks them sent, retries failures with backoff.
 *
 * <p>Several relays (one per service instance) may run against one outbox: one leads, the others stand
 * by. The leader holds a PostgreSQL session advisory lock on its own connection for as long as it
 * relays; if its process dies or its connection breaks, the lock goes with it and a standby takes over
 * within {@code standbyInterval}. An event the old leader published but had not yet marked sent is
 * published again by the new one with the same {@code Nats-Msg-Id} (its eventId), so JetStream stores it
 * once as long as the takeover happens within the stream's duplicate window (2 min by default).
 *
 * <p>Order: rows are read in id order, which per partition key is commit order (see {@link Outbox}), and
 * published in that order: a key's next row is sent only once the stream acknowledged its previous one, while
 * different keys are in flight together (a batch goes out in rounds, round n carrying the n-th row of every
 * key). A row that fails, however late its refusal comes back, so holds back the later rows of its key until
 * it is published after its backoff, or dead-lettered; a later row of a key is never stored before an earlier
 * one. The price: one round trip per row of the same key in a batch.
 *
 * <p>Dead letters: a row that failed {@code maxAttempts} times, or at once one the broker refused for good
 * (JetStream rejected it, or it is no valid envelope), moves to {@code outbox_dead_letters} with its last
 * error, and the later rows of its key go on: that key's order on the stream then has a gap, which the dead
 * letter names (its {@code outbox_id}). {@link OutboxDeadLetters} lists, retries and deletes them. A broker
 * away for longer than the attempts' backoffs add up to dead-letters the rows waiting meanwhile too: retry
 * them, oldest first, when it is back.
 *
 * <p>Metrics (with a registry): gauges {@code spine.outbox.lag_seconds} (age of the oldest unsent event,
 * 0 when none), {@code spine.outbox.pending} and {@code spine.outbox.dead_letters} (rows in the dead-letter
 * table); counters {@code spine.outbox.published}, {@code spine.outbox.publish_failed} and
 * {@code spine.outbox.dead_lettered}. Lifecycle: {@link #start()} starts one thread; {@link #close()}
 * finishes the current batch, stops it and gives up leadership.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int MAX_ERROR_LENGTH = 2000;
    private static final int CLEANUP_CHUNK = 1000;
    private static final String LOCK_NAME = "spine-outbox-relay";

    private final DataSource dataSource;
    private final EventPublisher publisher;
    private final Sql sql;
    private final EventCodec codec;
    private final String name;
    private final int batchSize;
    private final Duration pollInterval;
    private final Duration standbyInterval;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxAttempts;
    private final Duration retention;
    private final Duration cleanupInterval;
    private final Clock clock;
    private final Counter published;
    private final Counter publishFailed;
    private final Counter deadLettered;
    private final Object wake = new Object();

    private Connection leaderConnection;
    private volatile boolean leader;
    private volatile Instant oldestUnsent;
    private volatile long pending;
    private volatile long deadLetters;
    private Instant lastCleanup = Instant.EPOCH;
    private Instant lastStats = Instant.EPOCH;
    private volatile boolean running;
    private Thread loop;

    OutboxRelay(OutboxRelayBuilder b) {
        this.dataSource = b.dataSource;
        this.publisher = b.publisher;
        this.sql = Sql.in(b.schema);
        this.codec = b.codec;
        this.name = b.name;
        this.batchSize = b.batchSize;
        this.pollInterval = b.pollInterval;
        this.standbyInterval = b.standbyInterval;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxAttempts = b.maxAttempts;
        this.retention = b.retention;
        this.cleanupInterval = b.cleanupInterval;
        this.clock = b.clock;
        MetricRegistry registry = b.metricRegistry == null ? new MetricRegistry() : b.metricRegistry;
        this.published = registry.counter("spine.outbox.published");
        this.publishFailed = registry.counter("spine.outbox.publish_failed");
        this.deadLettered = registry.counter("spine.outbox.dead_lettered");
        registry.gauge("spine.outbox.dead_letters", () -> () -> deadLetters);
        registry.gauge("spine.outbox.lag_seconds", () -> () -> lag().toMillis() / 1000.0);
        registry.gauge("spine.outbox.pending", () -> () -> pending);
    }

    /** A relay publishing the outbox in {@code dataSource} through {@code publisher} (normally the {@code Spine}). */
    public static OutboxRelayBuilder builder(DataSource dataSource, EventPublisher publisher) {
        return new OutboxRelayBuilder(dataSource, publisher);
    }

    /** Starts the relay thread (leader or standby). */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("relay " + name + " already started");
        }
        running = true;
        loop = new Thread(this::run, "spine-outbox-relay-" + name);
        loop.setDaemon(true);
        loop.start();
    }

    /** True while this relay holds leadership (publishes); the others stand by. */
    public boolean isLeader() {
        return leader;
    }

    /** Age of the oldest unsent event as last seen (zero when none is waiting). */
    public Duration lag() {
        Instant oldest = oldestUnsent;
        if (oldest == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(oldest, clock.instant());
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Unsent events as last seen. */
    public long pending() {
        return pending;
    }

    /** Events this relay published (acknowledged by the stream, duplicates included). */
    public long publishedCount() {
        return published.getCount();
    }

    /** Makes an idle relay look at the outbox now instead of after {@code pollInterval}. */
    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        while (running) {
            Duration pause = pollInterval;
            try {
                int n = runOnce();
                if (!leader) {
                    pause = standbyInterval;
                } else if (n >= batchSize) {
                    continue; // more waiting: no pause
                }
            } catch (RuntimeException e) {
                LOG.warn("outbox relay {}: {}; giving up leadership and retrying in {}", name, e.toString(), pollInterval);
                dropLeadership();
            }
            synchronized (wake) {
                if (!running) {
                    break;
                }
                try {
                    wake.wait(Math.max(1, pause.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        dropLeadership();
    }

    /**
     * One step: takes leadership if free, and if leading publishes one batch. Returns the number of events
     * handed to the publisher (0 when standing by). The relay thread calls this; tests may call it
     * directly on a relay that is not started.
     *
     * @throws PostgresEventsException if PostgreSQL fails (leadership is then given up)
     */
    public int runOnce() {
        try {
            if (!ensureLeader()) {
                readStats();
                return 0;
            }
            int n = relayBatch();
            cleanupIfDue();
            return n;
        } catch (SQLException e) {
            dropLeadership();
            throw new PostgresEventsException("outbox relay " + name + " failed on " + sql.schema + ".outbox", e);
        }
    }

    private boolean ensureLeader() throws SQLException {
        if (leader) {
            return true;
        }
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true);
            c.setClientInfo("ApplicationName", "spine-outbox-relay/" + name);
            try (PreparedStatement p = c.prepareStatement(sql.tryLead)) {
                p.setString(1, LOCK_NAME);
                p.setString(2, sql.schema);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        leaderConnection = c;
                        leader = true;
                        LOG.info("outbox relay {} leads {}.outbox", name, sql.schema);
                        return true;
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return false;
    }

    private void readStats() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement(sql.unsentStats);
             ResultSet rs = p.executeQuery()) {
            rs.next();
            pending = rs.getLong(1);
            Timestamp t = rs.getTimestamp(2);
            oldestUnsent = t == null ? null : t.toInstant();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement p = c.prepareStatement(sql.countDeadLetters);
             ResultSet rs = p.executeQuery()) {
            rs.next();
            deadLetters = rs.getLong(1);
        }
    }

    /** Rows in the dead-letter table as last seen. */
    public long deadLetterCount() {
        return deadLetters;
    }

    /** One row of the outbox as the relay reads it. */
    private record Row(long id, UUID eventId, String key, byte[] payload, int attempts, Instant nextAttemptAt,
            Instant createdAt) {}

    private int relayBatch() throws SQLException {
        Connection c = leaderConnection;
        Instant now = clock.instant();
        List<Row> rows = fetch(c, now);
        oldestUnsent = oldestUnsent(c);
        if (oldestUnsent == null) {
            pending = 0;
        } else if (Duration.between(lastStats, clock.instant()).compareTo(standbyInterval) >= 0) {
            lastStats = clock.instant(); // a count over a large backlog is not free: at most once per standbyInterval
            readStats();
        }
        if (rows.isEmpty()) {
            return 0;
        }
        Set<String> blocked = new HashSet<>();
        List<Row> toSend = new ArrayList<>(rows.size());
        for (Row r : rows) {
            if (r.key != null && blocked.contains(r.key)) {
                continue;
            }
            if (r.nextAttemptAt != null && r.nextAttemptAt.isAfter(now)) {
                if (r.key != null) {
                    blocked.add(r.key); // a later event of this key must not overtake it
                }
                continue;
            }
            toSend.add(r);
        }
        List<KeyOrderedSend.Outcome<Row>> outcomes = KeyOrderedSend.send(toSend, Row::key, this::publish);
        List<Long> sent = new ArrayList<>(outcomes.size());
        for (KeyOrderedSend.Outcome<Row> o : outcomes) {
            if (o.sent()) {
                sent.add(o.row().id);
                published.inc();
            } else {
                publishFailed.inc();
                failed(c, o.row(), o.error());
            }
        }
        if (!sent.isEmpty()) {
            try (PreparedStatement p = c.prepareStatement(sql.markSent)) {
                p.setArray(1, c.createArrayOf("bigint", sent.toArray()));
                p.executeUpdate();
            }
        }
        return outcomes.size();
    }

    private CompletableFuture<PublishResult> publish(Row r) {
        try {
            EventEnvelope e = codec.decode(r.payload);
            return publisher.publishAsync(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Instant oldestUnsent(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql.oldestUnsent); ResultSet rs = p.executeQuery()) {
            return rs.next() ? rs.getTimestamp(1).toInstant() : null;
        }
    }

    private List<Row> fetch(Connection c, Instant now) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql.fetchDue)) {
            Timestamp t = Timestamp.from(now);
            p.setTimestamp(1, t);
            p.setTimestamp(2, t);
            p.setInt(3, batchSize);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Timestamp next = rs.getTimestamp(6);
                    rows.add(new Row(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getBytes(4),
                            rs.getInt(5), next == null ? null : next.toInstant(), rs.getTimestamp(7).toInstant()));
                }
            }
        }
        return rows;
    }

    /** A failed attempt: the row waits out its backoff, or becomes a dead letter (its last attempt, or refused for good). */
    private void failed(Connection c, Row r, Throwable error) throws SQLException {
        int attempt = r.attempts + 1;
        boolean permanent = refusedForGood(error);
        if (!permanent && attempt < maxAttempts) {
            markFailed(c, r, error);
            return;
        }
        try (PreparedStatement p = c.prepareStatement(sql.deadLetter)) {
            p.setLong(1, r.id);
            p.setInt(2, attempt);
            p.setString(3, truncated(String.valueOf(error)));
            p.setBoolean(4, permanent);
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) {
                    deadLettered.inc();
                    deadLetters++;
                    LOG.error("outbox relay {}: event {} (outbox id {}, key {}) is dead-lettered as {} after {} attempt(s); "
                            + "later events of its key go on without it: {}", name, r.eventId, r.id, r.key, rs.getLong(1),
                            attempt, error.toString());
                }
            }
        }
    }

    /** The broker refused the event and would refuse it again: JetStream said no, or it is no valid envelope. */
    static boolean refusedForGood(Throwable error) {
        return error instanceof EventPublishException e && e.reason() == EventPublishException.Reason.REJECTED
                || error instanceof InvalidEventException;
    }

    private static String truncated(String message) {
        return message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) : message;
    }

    private void markFailed(Connection c, Row r, Throwable error) throws SQLException {
        Duration wait = backoffAfter(r.attempts + 1);
        LOG.warn("outbox relay {}: publishing event {} (attempt {}) failed; retry in {}: {}", name, r.eventId,
                r.attempts + 1, wait, error.toString());
        String message = String.valueOf(error);
        try (PreparedStatement p = c.prepareStatement(sql.markFailed)) {
            p.setTimestamp(1, Timestamp.from(clock.instant().plus(wait)));
            p.setString(2, truncated(message));
            p.setLong(3, r.id);
            p.executeUpdate();
        }
    }

    /** initialBackoff × 2^(attempt-1), capped at maxBackoff. */
    Duration backoffAfter(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 30);
        Duration d = initialBackoff.multipliedBy(factor);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private void cleanupIfDue() throws SQLException {
        Instant now = clock.instant();
        if (Duration.between(lastCleanup, now).compareTo(cleanupInterval) < 0) {
            return;
        }
        lastCleanup = now;
        int deleted;
        do {
            try (PreparedStatement p = leaderConnection.prepareStatement(sql.deleteSentBefore)) {
                p.setTimestamp(1, Timestamp.from(now.minus(retention)));
                p.setInt(2, CLEANUP_CHUNK);
                deleted = p.executeUpdate();
            }
        } while (deleted == CLEANUP_CHUNK && running);
    }

    private void dropLeadership() {
        Connection c = leaderConnection;
        leaderConnection = null;
        boolean was = leader;
        leader = false;
        if (c != null) {
            // a pooled connection keeps its session locks: unlock before it goes back, or discard it
            try (PreparedStatement p = c.prepareStatement(sql.unlead)) {
                p.setString(1, LOCK_NAME);
                p.setString(2, sql.schema);
                p.execute();
                c.close();
            } catch (SQLException e) {
                LOG.debug("outbox relay {}: leader connection is broken ({}); discarding it", name, e.toString());
                try {
                    c.abort(Runnable::run);
                    c.close();
                } catch (SQLException abortFailed) {
                    LOG.debug("outbox relay {}: aborting the leader connection: {}", name, abortFailed.toString());
                }
            }
        }
        if (was) {
            LOG.info("outbox relay {} no longer leads {}.outbox", name, sql.schema);
        }
    }

    /** Finishes the current batch, stops the thread and gives up leadership (a standby takes over). */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = loop;
        }
        wakeUp();
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            dropLeadership();
        }
    }
}
