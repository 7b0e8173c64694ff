package dev.spine.server.http;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.spine.jobs.QueueStats;
import dev.spine.service.JobService;
import dev.spine.service.LatencyObjective;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last hour of every queue, for the dashboard's charts: every {@code interval} a reading of each queue's
 * depth (jobs available now, from the database: the same for every instance), its throughput (finished attempts
 * per second of this process, from the {@code spine.jobs.run.<queue>} timers' counts) and, for tiers with a
 * latency objective, the p99 wait. A page opened now cannot know the past hour; the server keeps it, in memory,
 * {@code WINDOW / interval} readings at most (360 at the default 10 s), the oldest dropped first. Lost on a
 * restart, and per instance like the throughput it shows: Prometheus keeps the fleet's history.
 *
 * <p>One daemon thread, started by {@link #start()} and stopped by {@link #close()}. A failed reading (the
 * database away) is logged once per streak and leaves a gap: the chart shows no line where nothing was read.
 */
public final class QueueHistory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueHistory.class);
    /** How far back the history reaches. */
    public static final Duration WINDOW = Duration.ofHours(1);
    private static final String RUN_TIMERS = "spine.jobs.run.";

    private final Supplier<List<QueueStats>> stats;
    private final MetricRegistry metrics;
    private final Supplier<Map<String, LatencyObjective>> objectives;
    private final Clock clock;
    private final Duration interval;
    private final String instance;
    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();
    /** The run counts of the previous reading (rates are the difference), touched by the sampling thread only. */
    private Map<String, Long> previousRuns;
    private long previousAt;
    private boolean failing;
    private ScheduledExecutorService timer;

    QueueHistory(Supplier<List<QueueStats>> stats, MetricRegistry metrics,
            Supplier<Map<String, LatencyObjective>> objectives, Clock clock, Duration interval, String instance) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be > 0, was " + interval);
        }
        this.stats = stats;
        this.metrics = metrics;
        this.objectives = objectives;
        this.clock = clock;
        this.interval = interval;
        this.instance = instance;
        this.capacity = (int) Math.max(2, WINDOW.toMillis() / interval.toMillis());
    }

    /** The history of {@code service}'s queues, read every {@code interval} once started. */
    public static QueueHistory of(JobService service, Duration interval) {
        return new QueueHistory(() -> service.jobs().stats(), service.metrics(), service::latencyObjectives,
                service.clock(), interval, service.jobs().workerId().toString());
    }

    /** Takes a reading now and then every interval, on a daemon thread of its own. */
    public synchronized QueueHistory start() {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spine-queue-history");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sampleQuietly() {
        try {
            sample();
            if (failing) {
                LOG.info("queue history: readings work again");
                failing = false;
            }
        } catch (RuntimeException e) {
            // a gap in the charts, not a dead thread: scheduleAtFixedRate stops for good on a thrown exception
            if (!failing) {
                LOG.warn("queue history: a reading failed; the charts show a gap until one works", e);
                failing = true;
            }
        }
    }

    /** One reading of every queue (the sampling thread; tests call it directly). */
    void sample() {
        List<QueueStats> now = stats.get();
        long at = clock.millis();
        Map<String, Long> runs = new TreeMap<>();
        metrics.getTimers((name, m) -> name.startsWith(RUN_TIMERS))
                .forEach((name, t) -> runs.put(name.substring(RUN_TIMERS.length()), t.getCount()));
        Map<String, LatencyObjective> slo = objectives.get();
        double seconds = previousRuns == null ? 0 : (at - previousAt) / 1000.0;
        Map<String, Point> points = new TreeMap<>();
        for (QueueStats s : now) {
            Double rate = null;
            if (seconds > 0) {
                // a queue whose timer appeared since the last reading ran from zero
                long before = previousRuns.getOrDefault(s.queue(), 0L);
                rate = Math.max(0, runs.getOrDefault(s.queue(), 0L) - before) / seconds;
            }
            LatencyObjective o = slo.get(s.queue());
            points.put(s.queue(), new Point(s.available(), s.running(), rate, o == null ? null : o.p99Seconds()));
        }
        previousRuns = runs;
        previousAt = at;
        synchronized (this) {
            if (samples.size() == capacity) {
                samples.removeFirst();
            }
            samples.addLast(new Sample(at, points));
        }
    }

    /**
     * The readings as columns, oldest first: {@code at} (epoch ms) and per queue {@code depth}, {@code running},
     * {@code runsPerSecond} (null on the first reading) and {@code p99WaitSeconds} (tiers with an objective), each
     * as long as {@code at}, null where the queue was not read; plus each tier's objective as it stands now.
     */
    public Map<String, Object> view() {
        List<Sample> copy;
        synchronized (this) {
            copy = new ArrayList<>(samples);
        }
        TreeSet<String> names = new TreeSet<>();
        copy.forEach(s -> names.addAll(s.queues().keySet()));
        Map<String, Object> queues = new LinkedHashMap<>();
        Map<String, LatencyObjective> slo = objectives.get();
        for (String q : names) {
            Map<String, Object> columns = new LinkedHashMap<>();
            columns.put("depth", copy.stream().map(s -> field(s, q, p -> p.depth())).toList());
            columns.put("running", copy.stream().map(s -> field(s, q, p -> p.running())).toList());
            columns.put("runsPerSecond", copy.stream().map(s -> field(s, q, p -> round(p.runsPerSecond()))).toList());
            LatencyObjective o = slo.get(q);
            if (o != null) {
                columns.put("p99WaitSeconds", copy.stream().map(s -> field(s, q, p -> p.p99Seconds())).toList());
                Map<String, Object> objective = new LinkedHashMap<>();
                objective.put("targetSeconds", o.target().toMillis() / 1000.0);
                objective.put("p99Seconds", o.p99Seconds());
                objective.put("status", o.met() ? "met" : "breached");
                columns.put("objective", objective);
            }
            queues.put(q, columns);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance);
        body.put("intervalSeconds", interval.toMillis() / 1000.0);
        body.put("windowSeconds", WINDOW.toSeconds());
        body.put("at", copy.stream().map(Sample::at).toList());
        body.put("queues", queues);
        return body;
    }

    private static Object field(Sample s, String queue, java.util.function.Function<Point, Object> get) {
        Point p = s.queues().get(queue);
        return p == null ? null : get.apply(p);
    }

    /** Two decimals are plenty for a chart, and keep the hour's JSON small. */
    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 100) / 100.0;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private record Sample(long at, Map<String, Point> queues) {}

    private record Point(long depth, long running, Double runsPerSecond, Double p99Seconds) {}
}
