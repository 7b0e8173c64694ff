package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.EventSubscription;
import dev.spine.events.SubscriptionOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two kinds of PostgreSQL subscriber share: one {@link WorkerLoop} thread with its own connection,
 * the count of deliveries handled, and the stop: finish the work in hand (writing its outcomes) up to
 * stopTimeout, then tell the bus. The subclass writes the loop's body and how a delivery is claimed.
 */
abstract class PgWorkerSubscription implements EventSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(PgWorkerSubscription.class);
    private static final int MAX_ERROR_LENGTH = 2000;
    /** Pause after a database error before trying again. */
    static final Duration ERROR_PAUSE = Duration.ofSeconds(1);
    private static final AtomicLong WORKERS = new AtomicLong();

    final DataSource dataSource;
    final BusSql sql;
    final EventCodec codec;
    final SubscriptionOptions options;
    final Duration pollInterval;
    /** The group's name in logs and advisory locks: schema/durable. */
    final String name;
    final AtomicLong handled = new AtomicLong();
    final WorkerLoop loop = new WorkerLoop();
    private final Runnable onClose;

    PgWorkerSubscription(DataSource dataSource, BusSql sql, EventCodec codec, SubscriptionOptions options,
            Duration pollInterval, Runnable onClose) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.codec = codec;
        this.options = options;
        this.pollInterval = pollInterval;
        this.onClose = onClose;
        this.name = sql.schema + "/" + options.durableName();
    }

    @Override
    public String durableName() {
        return options.durableName();
    }

    /** The loop's body: runs while {@code loop.running()}. */
    abstract void run();

    /** Starts the worker thread, named {@code prefix + durable + a number}: also its application_name. */
    void start(String prefix) {
        loop.start(prefix + options.durableName() + "-" + WORKERS.incrementAndGet(), this::run);
    }

    /** Looks for work now instead of after the poll interval (a local publish calls it). */
    public void wakeUp() {
        loop.wakeUp();
    }

    /** Called once by {@link #close()} after the loop was told to stop, before waiting for it. */
    void stopping() {
    }

    /** Closes a worker connection, logging (not throwing) what that costs. */
    void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("{}: closing the worker connection: {}", name, e.toString());
            }
        }
    }

    static String truncate(String s) {
        return s.length() > MAX_ERROR_LENGTH ? s.substring(0, MAX_ERROR_LENGTH) : s;
    }

    /** Finishes the work in hand (and writes its outcomes), then stops, up to stopTimeout. */
    @Override
    public void close() {
        if (!loop.stop()) {
            return;
        }
        stopping();
        try {
            if (!loop.join(options.stopTimeout())) {
                LOG.warn("{}: stop timed out after {}; its unfinished deliveries are handled again later", name,
                        options.stopTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onClose.run();
        }
    }

    @Override
    public long handledCount() {
        return handled.get();
    }
}
