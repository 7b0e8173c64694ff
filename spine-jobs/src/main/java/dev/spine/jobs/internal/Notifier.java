package dev.spine.jobs.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells other processes that jobs arrived, after the enqueue committed, on its own connection. A
 * NOTIFY inside every enqueue transaction would serialise the commits (PostgreSQL takes a global lock
 * for notifying transactions at commit); coalescing them here sends at most one NOTIFY per queue per
 * round trip, whatever the enqueue rate.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private static final long COALESCE_NANOS = 1_000_000;

    private final DataSource dataSource;
    private final String notifyMany;
    private final String channel;
    private final String origin;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final Signal signal = new Signal();
    private volatile boolean running;
    private Thread thread;

    public Notifier(DataSource dataSource, String notifyMany, String channel, UUID origin) {
        this.dataSource = dataSource;
        this.notifyMany = notifyMany;
        this.channel = channel;
        this.origin = origin.toString();
    }

    /** The payload of a notification: the queue and the process that sent it. */
    public static String payload(String queue, String origin) {
        return queue + "|" + origin;
    }

    public void jobsAdded(String queue) {
        if (dirty.add(queue)) {
            signal.raise();
        }
    }

    /** Starts the sending thread unless it runs already; the queue calls it on start or at the first enqueue. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new NamedThreads("spine-jobs-notifier").newThread(this::loop);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                signal.await(1000);
                sendDirty();
                // at most one NOTIFY per queue per millisecond: later enqueues coalesce into the next one
                LockSupport.parkNanos(COALESCE_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        sendDirty(); // what was added just before close still goes out (the CLI enqueues, then exits)
    }

    private void sendDirty() {
        if (dirty.isEmpty()) {
            return;
        }
        String[] queues = dirty.toArray(String[]::new);
        for (String q : queues) {
            dirty.remove(q);
        }
        try {
            send(queues);
        } catch (SQLException | RuntimeException e) {
            // other processes fall back to polling; nothing is lost
            LOG.warn("NOTIFY failed; other processes will find the jobs by polling", e);
        }
    }

    private void send(String[] queues) throws SQLException {
        String[] payloads = new String[queues.length];
        for (int i = 0; i < queues.length; i++) {
            payloads[i] = payload(queues[i], origin);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(notifyMany)) {
            ps.setString(1, channel);
            ps.setArray(2, c.createArrayOf("text", payloads));
            ps.execute();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        signal.raise();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(5000);
        }
    }
}
