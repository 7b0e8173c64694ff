package dev.spine.jobs.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one LISTEN connection of this process: turns NOTIFYs from other processes into local wake-ups.
 * Notifications this process sent itself are ignored (it woke its workers directly). If the connection
 * breaks it reconnects; meanwhile the workers' polling keeps jobs moving.
 */
public final class WakeListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WakeListener.class);
    private static final int WAIT_MILLIS = 500;
    private static final long RECONNECT_MILLIS = 1000;

    private final DataSource dataSource;
    private final String listenSql;
    private final String self;
    private final Consumer<String> wakeQueue;
    private volatile boolean running;
    private Thread thread;

    public WakeListener(DataSource dataSource, String listenSql, String self, Consumer<String> wakeQueue) {
        this.dataSource = dataSource;
        this.listenSql = listenSql;
        this.self = self;
        this.wakeQueue = wakeQueue;
    }

    public synchronized void start() {
        running = true;
        thread = new NamedThreads("spine-jobs-listener").newThread(this::loop);
        thread.start();
    }

    private void loop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute(listenSql);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
                    if (notes == null) {
                        continue;
                    }
                    for (PGNotification n : notes) {
                        dispatch(n.getParameter());
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warn("LISTEN connection lost; reconnecting in {} ms (workers keep polling)", RECONNECT_MILLIS, e);
                try {
                    Thread.sleep(RECONNECT_MILLIS); // reconnect backoff
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void dispatch(String payload) {
        int bar = payload.indexOf('|');
        String queue = bar < 0 ? payload : payload.substring(0, bar);
        String origin = bar < 0 ? "" : payload.substring(bar + 1);
        if (!origin.equals(self)) {
            wakeQueue.accept(queue);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(WAIT_MILLIS * 4L);
        }
    }
}
