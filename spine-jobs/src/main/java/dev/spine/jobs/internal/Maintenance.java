package dev.spine.jobs.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Housekeeping on one thread: heartbeats this process (its registry row: what it serves), rescues jobs of
 * silent or overrunning workers, refreshes the queue gauges, takes the census of waiting job types (which
 * picks each queue's claim statement, and feeds the unserved gauges), and prunes the archive, expired
 * idempotency keys and long-gone workers.
 * Each task is safe to run in many processes at once (the statements are idempotent).
 */
public final class Maintenance {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    /** Rows deleted per prune statement, so pruning never holds long locks. */
    static final int PRUNE_CHUNK = 10_000;
    /** A full-table read (gauges, census) waits this many times its own duration before the next one. */
    static final long PACE = 20;
    /**
     * A vacuum of the hot table waits this many times its own duration before the next one: it reads every page
     * of its indexes (about a second of one core with a million jobs waiting), while the dead entries it removes
     * cost each claim more the longer they stay (the claim walks them: a third of PostgreSQL's work in the mixed
     * benchmark); the two balance near ten.
     */
    static final long VACUUM_PACE = 10;
    /** Dead rows past which the hot table is vacuumed: its own autovacuum threshold (1000 + 1% of its rows, V1). */
    static final long VACUUM_BASE_ROWS = 1000;
    static final double VACUUM_FRACTION = 0.01;

    /** How often each task runs and how long things live. */
    public record Settings(Duration heartbeatInterval, Duration staleAfter, Duration timeoutGrace,
            Duration statsInterval, Duration pruneInterval, Duration archiveRetention) {}

    private final JobStore store;
    private final JobMetrics metrics;
    private final Clock clock;
    private final JobStore.Registration registration;
    private final ServedTypes served;
    private final Settings settings;
    private final Consumer<String> wakeQueue;
    /** False once PostgreSQL said this role may not vacuum the hot table: asking again would only warn again. */
    private volatile boolean mayVacuum = true;

    /** @param registration this process's registry row ({@code startedAt} is when it was built) */
    public Maintenance(JobStore store, JobMetrics metrics, Clock clock, JobStore.Registration registration,
            ServedTypes served, Settings settings, Consumer<String> wakeQueue) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.registration = registration;
        this.served = served;
        this.settings = settings;
        this.wakeQueue = wakeQueue;
    }

    public void schedule(ScheduledExecutorService timer) {
        every(timer, settings.heartbeatInterval(), this::heartbeat);
        every(timer, settings.heartbeatInterval(), this::rescue);
        paced(timer, settings.statsInterval(), PACE, this::refreshStats);
        paced(timer, settings.statsInterval(), PACE, this::census);
        every(timer, settings.pruneInterval(), this::prune);
    }

    /**
     * Keeps the hot table vacuumed from {@code timer} (a thread of its own: a vacuum takes seconds on a big
     * table, and must never hold back the heartbeat). A process that claims jobs schedules it: the claims are what
     * dead rows slow down.
     */
    public void scheduleVacuum(ScheduledExecutorService timer) {
        paced(timer, settings.statsInterval(), VACUUM_PACE, this::vacuumIfNeeded);
    }

    private static void every(ScheduledExecutorService timer, Duration interval, Runnable task) {
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Like {@link #every}, but the next run waits at least {@code pace} times as long as the last one took: the
     * queue gauges and the census count every waiting job, and with a million queued (a connector's backlog)
     * each read the whole hot table: 1.3 s and 0.4 s of PostgreSQL CPU every 5 s on the reference machine, a
     * third of a core taken from the claims of every tier. Paced, they cost at most 1/PACE of one backend; with
     * a small queue (milliseconds) they run at the interval as before.
     */
    private static void paced(ScheduledExecutorService timer, Duration interval, long pace, Runnable task) {
        long millis = interval.toMillis();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            long t0 = System.nanoTime();
            try {
                task.run();
            } finally { // whatever the run did, there is a next one: a task that stopped would freeze its gauges
                long tookMillis = (System.nanoTime() - t0) / 1_000_000;
                try {
                    timer.schedule(next[0], Math.max(millis, pace * tookMillis), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the timer is shutting down with the queue: no next run
                }
            }
        };
        timer.schedule(next[0], millis, TimeUnit.MILLISECONDS);
    }

    public void heartbeat() {
        guarded("heartbeat", () -> store.heartbeat(registration, clock.instant()));
    }

    public void rescue() {
        guarded("rescue", () -> {
            Instant now = clock.instant();
            JobStore.Rescue r = store.rescue(now, now.minus(settings.staleAfter()), settings.timeoutGrace().toMillis());
            int total = r.retriedQueues().size() + r.buried();
            if (total > 0) {
                metrics.rescued(total);
                LOG.warn("rescued {} jobs of stopped or overrunning workers ({} retried, {} dead)", total,
                        r.retriedQueues().size(), r.buried());
                r.retriedQueues().stream().distinct().forEach(wakeQueue);
            }
        });
    }

    public void refreshStats() {
        guarded("queue stats", () -> metrics.queueStats(store.queueStats(clock.instant())));
    }

    /**
     * Counts waiting jobs per (queue, type): each queue's claim reads the queue in order while only served
     * types wait there, per type otherwise; and the unserved gauges show the pairs no live worker serves.
     */
    public void census() {
        guarded("job type census", () -> {
            List<JobStore.WaitingType> waiting = store.waitingTypes(clock.instant().minus(settings.staleAfter()));
            served.census(waiting);
            metrics.unserved(waiting);
        });
    }

    /**
     * Vacuums the hot table when its dead rows passed autovacuum's own threshold for it. Autovacuum looks at a
     * database once a minute at most ({@code autovacuum_naptime}), and not at all where it is turned off; a queue
     * finishing thousands of jobs a second leaves a hundred thousand dead rows in a minute, and every claim walks
     * their index entries. Returns whether it vacuumed (not when another vacuum held the table).
     */
    public boolean vacuumIfNeeded() {
        boolean[] ran = {false};
        guarded("vacuum", () -> {
            if (!mayVacuum) {
                return;
            }
            JobStore.TableRows rows = store.hotTableRows();
            if (rows.dead() < VACUUM_BASE_ROWS + VACUUM_FRACTION * rows.live()) {
                return;
            }
            switch (store.vacuumHotTable()) {
                case DONE -> {
                    metrics.vacuumed();
                    ran[0] = true;
                }
                case SKIPPED -> metrics.vacuumSkipped(); // another vacuum holds it: the next check looks again
                case NOT_PERMITTED -> {
                    mayVacuum = false;
                    LOG.warn("this role may not vacuum the job table (not its owner): its dead rows wait for "
                            + "autovacuum, and claims slow down while they pile up");
                }
            }
        });
        return ran[0];
    }

    public void prune() {
        guarded("prune", () -> {
            Instant now = clock.instant();
            long deleted;
            do {
                deleted = store.prune(now.minus(settings.archiveRetention()), now,
                        now.minus(settings.staleAfter().multipliedBy(100)), PRUNE_CHUNK);
            } while (deleted >= PRUNE_CHUNK);
        });
    }

    /** A failing task is logged and retried at its next tick; it must not kill the timer thread. */
    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("maintenance task '{}' failed; it runs again at its next tick", what, e);
        }
    }
}
