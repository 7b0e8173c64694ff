package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventHandler;
import dev.spine.events.EventLogContext;
import dev.spine.events.EventRejectedException;
import dev.spine.events.ReceivedEvent;
import dev.spine.events.SubscriptionOptions;
import dev.spine.events.TraceContexts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscriber of a group on the PostgreSQL bus: a thread with its own connection. It takes a topic
 * (a partition key, or an event type for events without one) whose first unfinished delivery is due, under a session advisory lock so no other worker
 * of the group handles that topic meanwhile, handles its deliveries in order, and lets go. A failure
 * schedules a retry after the subscription's backoff and stops the topic there (later events of the
 * topic wait: order within a topic); the last allowed delivery, or a rejection, marks it dead. A worker
 * that dies loses its connection and with it the lock: another worker takes the topic over and handles
 * what was not marked done (at-least-once).
 */
public final class PgSubscription extends PgWorkerSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(PgSubscription.class);

    private final EventHandler handler;
    private final PgTracing tracing;

    public PgSubscription(DataSource dataSource, BusSql sql, EventCodec codec, SubscriptionOptions options,
            EventHandler handler, Duration pollInterval, PgTracing tracing, Runnable onClose) {
        super(dataSource, sql, codec, options, pollInterval, onClose);
        this.handler = handler;
        this.tracing = tracing;
    }

    public void start() {
        start("spine-pg-"); // unique per worker: an operator tells the workers apart by application_name
    }

    @Override
    void run() {
        Connection c = null;
        while (loop.running()) {
            long pause = pollInterval.toMillis();
            try {
                if (c == null) {
                    c = dataSource.getConnection();
                    c.setAutoCommit(true);
                    c.setClientInfo("ApplicationName", Thread.currentThread().getName());
                }
                if (pass(c) > 0) {
                    continue;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warn("{}.domain_events/{}: {}; retrying in {}", sql.schema, options.durableName(), e.toString(),
                        ERROR_PAUSE);
                c = discard(c);
                pause = ERROR_PAUSE.toMillis();
            }
            if (!loop.pause(pause)) {
                break;
            }
        }
        closeQuietly(c); // every topic lock was released after its batch
    }

    /** One look at every due topic; returns the deliveries handled. */
    private int pass(Connection c) throws SQLException {
        List<String> due = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql.topicHeads)) {
            p.setString(1, options.durableName());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        due.add(rs.getString(1));
                    }
                }
            }
        }
        Collections.shuffle(due); // workers of a group start on different topics
        int n = 0;
        for (String topic : due) {
            if (!loop.running()) {
                break;
            }
            if (!lock(c, sql.tryTopic, topic)) {
                continue;
            }
            try {
                n += drain(c, topic);
            } finally {
                lock(c, sql.unlockTopic, topic);
            }
        }
        return n;
    }

    private boolean lock(Connection c, String statement, String topic) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(statement)) {
            p.setString(1, name);
            p.setString(2, topic);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private record Delivery(long row, int attempts, boolean due, byte[] payload) {}

    /** Handles the topic's deliveries in order until one is not due, fails, or the batch ends. */
    private int drain(Connection c, String topic) throws SQLException {
        List<Delivery> batch = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql.fetchTopic)) {
            p.setString(1, options.durableName());
            p.setString(2, topic);
            p.setInt(3, options.batchSize());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    batch.add(new Delivery(rs.getLong(1), rs.getInt(2), rs.getBoolean(3), rs.getBytes(4)));
                }
            }
        }
        List<Long> done = new ArrayList<>();
        int n = 0;
        try {
            for (Delivery d : batch) {
                if (!d.due || !loop.running()) {
                    break;
                }
                n++;
                long deliveredCount = d.attempts + 1L;
                EventEnvelope e;
                try {
                    e = codec.decode(d.payload);
                } catch (InvalidEventException ex) {
                    dead(c, d, "malformed: " + ex.getMessage());
                    continue;
                }
                EventLogContext.enter(e);
                // the table keeps no headers: the envelope's trace context is what the handler continues
                Span span = tracing.startProcess(e, options.durableName(), deliveredCount);
                try (Scope ignored = TraceContexts.handlerContext(e, span).makeCurrent()) {
                    handler.handle(new ReceivedEvent(e, e.eventType(), sql.schema + ".domain_events", d.row,
                            deliveredCount));
                    done.add(d.row);
                    handled.incrementAndGet();
                } catch (EventRejectedException ex) {
                    PgTracing.failed(span, ex);
                    LOG.warn("{}/{}: {} rejected by its handler; dead-lettered: {}", name, topic, e, ex.getMessage());
                    dead(c, d, "rejected: " + ex);
                } catch (Exception ex) {
                    PgTracing.failed(span, ex);
                    if (options.isLastDelivery(deliveredCount)) {
                        LOG.warn("{}/{}: {} failed on delivery {} of {}; dead-lettered", name, topic, e,
                                deliveredCount, options.maxDeliver(), ex);
                        dead(c, d, "max-deliveries: " + ex);
                        continue;
                    }
                    Duration delay = options.backoffAfter(deliveredCount);
                    LOG.info("{}/{}: {} failed on delivery {} of {}, retry in {}: {}", name, topic, e,
                            deliveredCount, options.maxDeliver(), delay, ex.toString());
                    retry(c, d, delay, ex);
                    break; // later events of this topic wait behind it
                } finally {
                    PgTracing.end(span);
                }
            }
        } finally {
            EventLogContext.exit();
            if (!done.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement(sql.markDone)) {
                    p.setString(1, options.durableName());
                    p.setArray(2, c.createArrayOf("bigint", done.toArray()));
                    p.executeUpdate();
                }
            }
        }
        return n;
    }

    private void retry(Connection c, Delivery d, Duration delay, Exception error) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql.markRetry)) {
            p.setString(1, delay.toMillis() + " milliseconds");
            p.setString(2, truncate(error.toString()));
            p.setString(3, options.durableName());
            p.setLong(4, d.row);
            p.executeUpdate();
        }
    }

    private void dead(Connection c, Delivery d, String reason) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql.markDead)) {
            p.setString(1, truncate(reason));
            p.setString(2, options.durableName());
            p.setLong(3, d.row);
            p.executeUpdate();
        }
    }

    private Connection discard(Connection c) {
        if (c != null) {
            try {
                // closing the session would release its advisory locks, but a pooled connection stays open
                // with them: abort it so the pool replaces it and the topic locks go with it
                c.abort(Runnable::run);
            } catch (SQLException e) {
                LOG.debug("{}: aborting the worker connection: {}", name, e.toString());
            }
        }
        closeQuietly(c);
        return null;
    }
}
