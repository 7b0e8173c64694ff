package dev.spine.jobs.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.spine.jobs.QueueStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The queue's Dropwizard metrics. Names: {@code spine.jobs.enqueued|started|completed|failed|rescued} and
 * {@code spine.jobs.dead_lettered} (jobs that went dead), {@code spine.jobs.dispatched_locally} (jobs inserted
 * already claimed by this process's idle worker, run without a fetch), {@code spine.jobs.fetches} (claim
 * statements run, whatever they found: against jobs started, the round trips each job cost) (counters),
 * {@code spine.jobs.wait.<queue>} and {@code spine.jobs.run.<queue>} (timers), and
 * {@code spine.jobs.queue_depth.<queue>}, {@code spine.jobs.scheduled.<queue>}, {@code spine.jobs.running.<queue>},
 * {@code spine.jobs.dead_letters.<queue>} (dead jobs now in the table), and
 * {@code spine.jobs.unserved.<queue>.<type>} (jobs waiting of a type no live worker serves in that queue; 0 once
 * one does; queue names have no dot, so the type is everything after the queue's) (gauges, refreshed by
 * maintenance, never read from the database on scrape).
 */
public final class JobMetrics {
    /** Prefix of the unserved gauges: {@code spine.jobs.unserved.<queue>.<type>}. */
    public static final String UNSERVED = "spine.jobs.unserved.";
    private final MetricRegistry registry;
    private final Counter enqueued;
    private final Counter started;
    private final Counter completed;
    private final Counter failed;
    private final Counter dead;
    private final Counter rescued;
    private final Counter dispatchedLocally;
    private final Counter fetches;
    private final Counter vacuums;
    private final Counter vacuumSkips;
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Timer> runs = new ConcurrentHashMap<>();
    private final Map<String, QueueStats> latest = new ConcurrentHashMap<>();
    /** Gauge name -> jobs waiting unserved at the last census. */
    private final Map<String, Long> unserved = new ConcurrentHashMap<>();

    public JobMetrics(MetricRegistry registry) {
        this.registry = registry;
        enqueued = registry.counter("spine.jobs.enqueued");
        started = registry.counter("spine.jobs.started");
        completed = registry.counter("spine.jobs.completed");
        failed = registry.counter("spine.jobs.failed");
        dead = registry.counter("spine.jobs.dead_lettered");
        rescued = registry.counter("spine.jobs.rescued");
        dispatchedLocally = registry.counter("spine.jobs.dispatched_locally");
        fetches = registry.counter("spine.jobs.fetches");
        vacuums = registry.counter("spine.jobs.vacuums");
        vacuumSkips = registry.counter("spine.jobs.vacuum_skips");
    }

    public void enqueued(long n) {
        enqueued.inc(n);
    }

    public void started(String queue, Duration waited) {
        started.inc();
        waits.computeIfAbsent(queue, q -> timer("spine.jobs.wait." + q))
                .update(Math.max(0, waited.toNanos()), TimeUnit.NANOSECONDS);
    }

    public void ran(String queue, long nanos) {
        runs.computeIfAbsent(queue, q -> timer("spine.jobs.run." + q)).update(nanos, TimeUnit.NANOSECONDS);
    }

    /** Timers updated by every handler thread for every job: a lock-free reservoir, so they never contend. */
    private Timer timer(String name) {
        return registry.timer(name, () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build()));
    }

    public void completed() {
        completed.inc();
    }

    public void failed() {
        failed.inc();
    }

    public void dead() {
        dead.inc();
    }

    public void fetched() {
        fetches.inc();
    }

    public void dispatchedLocally() {
        dispatchedLocally.inc();
    }

    /** The hot table was vacuumed by this process. */
    public void vacuumed() {
        vacuums.inc();
    }

    /** This process's vacuum of the hot table was skipped: another vacuum (autovacuum, a process) held it. */
    public void vacuumSkipped() {
        vacuumSkips.inc();
    }

    public void rescued(long n) {
        rescued.inc(n);
    }

    /** Replaces the queue gauges' values with a fresh reading. */
    public void queueStats(List<QueueStats> stats) {
        for (QueueStats s : stats) {
            if (latest.put(s.queue(), s) == null) {
                String q = s.queue();
                registry.gauge("spine.jobs.queue_depth." + q, () -> (Gauge<Long>) () -> latest.get(q).available());
                registry.gauge("spine.jobs.scheduled." + q, () -> (Gauge<Long>) () -> latest.get(q).scheduled());
                registry.gauge("spine.jobs.running." + q, () -> (Gauge<Long>) () -> latest.get(q).running());
                registry.gauge("spine.jobs.dead_letters." + q, () -> (Gauge<Long>) () -> latest.get(q).dead());
            }
        }
    }

    /** Replaces the unserved gauges' values with a census: a pair served now, or no longer waiting, reads 0. */
    public void unserved(List<JobStore.WaitingType> census) {
        Map<String, Long> now = new HashMap<>();
        for (JobStore.WaitingType w : census) {
            if (!w.served()) {
                now.put(UNSERVED + w.queue() + "." + w.type(), w.waiting());
            }
        }
        unserved.replaceAll((name, old) -> now.getOrDefault(name, 0L));
        now.forEach((name, waiting) -> {
            if (unserved.put(name, waiting) == null) {
                registry.gauge(name, () -> (Gauge<Long>) () -> unserved.get(name));
            }
        });
    }

    public MetricRegistry registry() {
        return registry;
    }
}
