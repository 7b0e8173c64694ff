package dev.spine.jobs.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who to wake when jobs arrive or come due: this process's worker of the queue at once (or when the
 * earliest job comes due), other processes through the coalescing notifier once the queue is started, or
 * with one NOTIFY right away from a queue that only enqueues (the CLI, producers).
 */
public final class Wakeups {
    private static final Logger LOG = LoggerFactory.getLogger(Wakeups.class);

    private final Map<String, QueueWorker> workers;
    private final Notifier notifier;
    private final JobStore store;
    private final DataSource dataSource;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final String origin;

    public Wakeups(Map<String, QueueWorker> workers, Notifier notifier, JobStore store, DataSource dataSource,
            ScheduledExecutorService timer, Clock clock, UUID origin) {
        this.workers = workers;
        this.notifier = notifier;
        this.store = store;
        this.dataSource = dataSource;
        this.timer = timer;
        this.clock = clock;
        this.origin = origin.toString();
    }

    /** After a commit this process made: each queue hears once, at its earliest due time. */
    public void committed(Collection<NewJob> jobs) {
        Map<String, Instant> earliest = new HashMap<>();
        for (NewJob j : jobs) {
            earliest.merge(j.queue(), j.runAt(), (a, b) -> a.isBefore(b) ? a : b);
        }
        Instant now = clock.instant();
        earliest.forEach((queue, due) -> {
            tellOthers(queue);
            wakeAt(queue, due, now);
        });
    }

    /** A job of {@code queue} was put back for later (retry, snooze): wake this process's worker then. */
    public void dueLater(String queue, Instant due) {
        wakeAt(queue, due, clock.instant());
    }

    /** Jobs of {@code queue} were committed by a transaction we did not see commit: wake everyone now. */
    public void wake(String queue) {
        tellOthers(queue);
        wakeLocal(queue);
    }

    public void wakeLocal(String queue) {
        QueueWorker w = workers.get(queue);
        if (w != null) {
            w.wake();
        }
    }

    private void wakeAt(String queue, Instant due, Instant now) {
        QueueWorker w = workers.get(queue);
        if (w == null) {
            return;
        }
        long millis = Duration.between(now, due).toMillis();
        if (millis <= 0) {
            w.wake();
        } else if (!timer.isShutdown()) {
            timer.schedule(w::wake, millis, TimeUnit.MILLISECONDS);
        }
    }

    private void tellOthers(String queue) {
        if (notifier.running()) {
            notifier.jobsAdded(queue);
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            store.notify(c, Notifier.payload(queue, origin));
        } catch (SQLException e) {
            LOG.warn("NOTIFY for queue {} failed; workers find the jobs at their next poll", queue, e);
        }
    }
}
