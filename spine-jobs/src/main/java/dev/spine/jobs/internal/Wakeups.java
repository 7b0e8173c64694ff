package dev.spine.jobs.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who to wake when jobs arrive or come due: this process's worker of the queue at once (or when the
 * earliest job comes due), and other processes through the coalescing notifier (started at first use, so
 * a queue that only enqueues notifies too, and flushed on close).
 */
public final class Wakeups {
    private final Map<String, QueueWorker> workers;
    private final Notifier notifier;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final PullWaiters pullWaiters;

    public Wakeups(Map<String, QueueWorker> workers, Notifier notifier, ScheduledExecutorService timer, Clock clock,
            PullWaiters pullWaiters) {
        this.pullWaiters = pullWaiters;
        this.workers = workers;
        this.notifier = notifier;
        this.timer = timer;
        this.clock = clock;
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

    /** Wakes this process's worker of {@code queue} and the pull workers' fetches waiting on it. */
    public void wakeLocal(String queue) {
        QueueWorker w = workers.get(queue);
        if (w != null) {
            w.wake();
        }
        pullWaiters.wake(queue);
    }

    private void wakeAt(String queue, Instant due, Instant now) {
        if (!workers.containsKey(queue) && !pullWaiters.any(queue)) {
            return;
        }
        long millis = Duration.between(now, due).toMillis();
        if (millis <= 0) {
            wakeLocal(queue);
        } else if (!timer.isShutdown()) {
            timer.schedule(() -> wakeLocal(queue), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void tellOthers(String queue) {
        // a queue that only enqueues (producers, the CLI) is never started: its notifier starts at first use
        notifier.start();
        notifier.jobsAdded(queue);
    }
}
