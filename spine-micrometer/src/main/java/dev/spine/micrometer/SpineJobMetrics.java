package dev.spine.micrometer;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobHandler;
import dev.spine.jobs.JobListener;
import dev.spine.jobs.TypedJobHandler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job queue's meters in a Micrometer registry, with {@code queue} and {@code type} tags and histograms.
 *
 * <pre>{@code
 * SpineJobMetrics metrics = new SpineJobMetrics(meterRegistry);
 * JobQueue jobs = JobQueue.builder(dataSource)
 *         .listener(metrics)                                    // outcomes per queue and type
 *         .handler("SendEmail", metrics.timed(sendEmail))       // wait and run timers per queue and type
 *         .build();
 * metrics.bind(jobs.metrics());                                 // queue-wide counters and queue gauges
 * }</pre>
 *
 * <p>Meters (Micrometer names; a Prometheus registry writes them with {@code _} and unit suffixes):
 * <ul>
 *   <li>{@code spine.jobs.completed}, {@code spine.jobs.failed}, {@code spine.jobs.dead_lettered}
 *       (counters, tags {@code queue}, {@code type}): from the {@link JobListener};
 *   <li>{@code spine.jobs.started} (counter), {@code spine.jobs.wait} (due time to start) and
 *       {@code spine.jobs.run} (handler time) (timers with percentile histograms), tags {@code queue},
 *       {@code type}: from handlers wrapped by {@link #timed(JobHandler)};
 *   <li>{@code spine.jobs.enqueued}, {@code spine.jobs.rescued}, {@code spine.jobs.dispatched_locally},
 *       {@code spine.jobs.fetches} (counters, no tag: the queue counts them for the whole process), and the
 *       gauges {@code spine.jobs.queue_depth}, {@code spine.jobs.scheduled}, {@code spine.jobs.running},
 *       {@code spine.jobs.dead_letters} (tag {@code queue}) and {@code spine.jobs.unserved} (tags
 *       {@code queue}, {@code type}): read from the queue's Dropwizard registry by {@link #bind}, which is
 *       left as it is.
 * </ul>
 * The Dropwizard counters and timers that the listener and the wrapped handlers measure per type are not
 * copied: one name with two sets of tag keys is refused by Prometheus registries.
 */
public final class SpineJobMetrics implements JobListener {
    /** Dropwizard counters copied as they are (no per-type reading exists for them). */
    static final Set<String> COPIED_COUNTERS = Set.of("spine.jobs.enqueued", "spine.jobs.rescued",
            "spine.jobs.dispatched_locally", "spine.jobs.fetches");
    /** Dropwizard gauges named {@code <prefix>.<queue>}. */
    static final Set<String> QUEUE_GAUGES = Set.of("spine.jobs.queue_depth", "spine.jobs.scheduled",
            "spine.jobs.running", "spine.jobs.dead_letters");
    static final String UNSERVED = "spine.jobs.unserved";

    private final MeterRegistry registry;
    private final Map<Tags, Timer> runs = new ConcurrentHashMap<>();
    private final Map<Tags, Timer> waits = new ConcurrentHashMap<>();

    public SpineJobMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Copies the queue-wide meters of a queue's Dropwizard registry ({@code JobQueue.metrics()}), those there now
     * and those added later (a queue's gauges appear when its first stats are read).
     */
    public SpineJobMetrics bind(MetricRegistry queueMetrics) {
        queueMetrics.addListener(new MetricRegistryListener.Base() {
            @Override
            public void onCounterAdded(String name, Counter counter) {
                if (COPIED_COUNTERS.contains(name)) {
                    FunctionCounter.builder(name, counter, Counter::getCount).register(registry);
                }
            }

            @Override
            public void onGaugeAdded(String name, Gauge<?> gauge) {
                Tags tags = gaugeTags(name);
                if (tags != null) {
                    io.micrometer.core.instrument.Gauge.builder(gaugeName(name), gauge, SpineJobMetrics::read)
                            .tags(tags).register(registry);
                }
            }
        });
        return this;
    }

    /** A handler that records {@code spine.jobs.started}, {@code spine.jobs.wait} and {@code spine.jobs.run}. */
    public JobHandler timed(JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return job -> {
            Tags tags = tags(job);
            long start = starting(job, tags);
            try {
                handler.handle(job);
            } finally {
                ran(tags, start);
            }
        };
    }

    /** {@link #timed(JobHandler)} for a typed handler. */
    public <T> TypedJobHandler<T> timed(TypedJobHandler<T> handler) {
        Objects.requireNonNull(handler, "handler");
        return (payload, job) -> {
            Tags tags = tags(job);
            long start = starting(job, tags);
            try {
                handler.handle(payload, job);
            } finally {
                ran(tags, start);
            }
        };
    }

    @Override
    public void completed(Job job) {
        registry.counter("spine.jobs.completed", tags(job)).increment();
    }

    @Override
    public void failed(Job job, String error, boolean dead) {
        Tags tags = tags(job);
        registry.counter("spine.jobs.failed", tags).increment();
        if (dead) {
            registry.counter("spine.jobs.dead_lettered", tags).increment();
        }
    }

    private long starting(Job job, Tags tags) {
        registry.counter("spine.jobs.started", tags).increment();
        // due time: the later of creation and run_at (a retry's run_at is its backoff's end)
        Instant due = job.runAt() == null ? job.createdAt()
                : job.createdAt() == null || job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
        if (due != null) {
            Duration waited = Duration.between(due, Instant.now());
            waits.computeIfAbsent(tags, t -> histogram("spine.jobs.wait", "time from a job's due time to its start", t))
                    .record(waited.isNegative() ? Duration.ZERO : waited);
        }
        return System.nanoTime();
    }

    private void ran(Tags tags, long start) {
        runs.computeIfAbsent(tags, t -> histogram("spine.jobs.run", "time in the handler", t))
                .record(Duration.ofNanos(System.nanoTime() - start));
    }

    private Timer histogram(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .register(registry);
    }

    private static Tags tags(Job job) {
        return Tags.of("queue", job.queue(), "type", job.type());
    }

    /** The Micrometer name of a copied Dropwizard gauge: its name without the queue (and type). */
    static String gaugeName(String dropwizardName) {
        if (dropwizardName.startsWith(UNSERVED + ".")) {
            return UNSERVED;
        }
        return dropwizardName.substring(0, dropwizardName.lastIndexOf('.'));
    }

    /** The tags of a copied gauge, or null for a gauge that is not copied. Queue names have no dot. */
    static Tags gaugeTags(String dropwizardName) {
        if (dropwizardName.startsWith(UNSERVED + ".")) {
            String rest = dropwizardName.substring(UNSERVED.length() + 1);
            int dot = rest.indexOf('.');
            return dot <= 0 ? null : Tags.of("queue", rest.substring(0, dot), "type", rest.substring(dot + 1));
        }
        int dot = dropwizardName.lastIndexOf('.');
        if (dot <= 0 || !QUEUE_GAUGES.contains(dropwizardName.substring(0, dot))) {
            return null;
        }
        return Tags.of("queue", dropwizardName.substring(dot + 1));
    }

    private static double read(Gauge<?> gauge) {
        return gauge.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
