package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.BatchHandler;
import dev.spine.events.Delivery;
import dev.spine.events.SubscriptionOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch subscriber of a group on the PostgreSQL bus: one thread with its own connection claims up to
 * a batch of due deliveries (SKIP LOCKED, so instances of the group compete; a lease of ackWait), lingering
 * for more only while events come in bursts, hands them to the handler, then writes the outcomes: the acks
 * in one statement. Unlike per-event subscriptions it does not order by topic: batches are in storage
 * order, and a handed-back delivery is overtaken by later ones.
 */
public final class PgBatchSubscription extends PgWorkerSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(PgBatchSubscription.class);

    private final BatchHandler handler;
    private final String lease;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Connection connection;

    public PgBatchSubscription(DataSource dataSource, BusSql sql, EventCodec codec, SubscriptionOptions options,
            BatchHandler handler, Duration pollInterval, Runnable onClose) {
        super(dataSource, sql, codec, options, pollInterval, onClose);
        this.handler = handler;
        this.lease = options.ackWait().toMillis() + " milliseconds";
    }

    public void start() {
        start("spine-pg-batch-");
    }

    @Override
    void run() {
        boolean busy = false;
        while (loop.running()) {
            long pause = pollInterval.toMillis();
            try {
                if (connection == null) {
                    connection = dataSource.getConnection();
                    connection.setAutoCommit(true);
                }
                List<PgDelivery> batch = claim(options.batchSize());
                if (busy && !batch.isEmpty() && batch.size() < options.batchSize() && !options.linger().isZero()) {
                    loop.pause(options.linger().toMillis());
                    batch.addAll(claim(options.batchSize() - batch.size()));
                }
                busy = batch.size() > 1;
                if (!batch.isEmpty()) {
                    pause = handle(batch);
                    if (pause == 0) {
                        continue;
                    }
                    stopped.await(pause, TimeUnit.MILLISECONDS);
                    continue;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warn("{}: {}; retrying in {}", name, e.toString(), ERROR_PAUSE);
                connection = discard(connection);
                pause = ERROR_PAUSE.toMillis();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (!loop.pause(pause)) {
                break;
            }
        }
        connection = discard(connection);
    }

    private List<PgDelivery> claim(int max) throws SQLException {
        List<PgDelivery> out = new ArrayList<>();
        try (PreparedStatement p = connection.prepareStatement(sql.claimBatch)) {
            p.setString(1, options.durableName());
            p.setInt(2, max);
            p.setString(3, lease);
            p.setString(4, options.durableName());
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new PgDelivery(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBytes(4),
                            sql.schema + ".domain_events", codec, this));
                }
            }
        }
        out.sort(Comparator.comparingLong(d -> d.row)); // RETURNING promises no order
        return out;
    }

    /** Runs the handler, writes the outcomes; returns the pause (ms) before the next batch. */
    private long handle(List<PgDelivery> batch) throws SQLException {
        Exception failure = null;
        try {
            handler.handle(List.<Delivery>copyOf(batch));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure = e;
        }
        Duration pause = Duration.ZERO;
        List<Long> acked = new ArrayList<>();
        for (PgDelivery d : batch) {
            switch (d.outcome) {
                case ACK -> acked.add(d.row);
                case TERM -> update(sql.terminateClaim, d, truncate("terminated: " + d.reason), null);
                case NAK -> update(sql.releaseClaim, d, "handed back", d.delay);
                case NONE -> {
                    if (failure == null) {
                        acked.add(d.row);
                    } else if (options.isLastDelivery(d.deliveredCount())) {
                        LOG.warn("{}: event row {} failed on delivery {}; dead-lettered", name, d.row,
                                d.deliveredCount(), failure);
                        update(sql.killClaim, d, truncate("max-deliveries: " + failure), null);
                    } else {
                        Duration delay = options.backoffAfter(d.deliveredCount());
                        update(sql.releaseClaim, d, truncate(failure.toString()), delay);
                        pause = delay.compareTo(pause) > 0 ? delay : pause;
                    }
                }
            }
        }
        if (!acked.isEmpty()) {
            try (PreparedStatement p = connection.prepareStatement(sql.markDone)) {
                p.setString(1, options.durableName());
                p.setArray(2, connection.createArrayOf("bigint", acked.toArray()));
                p.executeUpdate();
            }
            handled.addAndGet(acked.size());
        }
        if (failure != null) {
            LOG.warn("{}: a batch of {} failed; unsettled deliveries handed back, pausing {}", name, batch.size(),
                    pause, failure);
        }
        return pause.toMillis();
    }

    private void update(String statement, PgDelivery d, String text, Duration delay) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement(statement)) {
            int i = 1;
            if (delay != null) {
                p.setString(i++, delay.toMillis() + " milliseconds");
            }
            p.setString(i++, text);
            p.setString(i++, options.durableName());
            p.setLong(i, d.row);
            p.executeUpdate();
        }
    }

    /** A long handler's {@link Delivery#inProgress()}: the lease restarts (on the handler's own thread). */
    void extendLease(PgDelivery d) {
        try {
            update(sql.releaseClaim, d, null, options.ackWait());
        } catch (SQLException e) {
            LOG.warn("{}: cannot extend the lease of event row {}: {}", name, d.row, e.toString());
        }
    }

    private Connection discard(Connection c) {
        closeQuietly(c);
        return null;
    }

    @Override
    void stopping() {
        stopped.countDown(); // ends a back-off pause at once
    }
}
