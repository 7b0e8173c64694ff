package dev.spine.service.internal;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.events.ConsumerStats;
import dev.spine.events.EventBus;
import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Counters of the event-to-job path: {@code spine.ingest.events}, {@code .jobs_materialized},
 * {@code .unrouted}, {@code .rejected}, {@code .failures} and the batch size histogram; and, under the
 * names the platform's dashboards use, {@code spine.events.delivered}, {@code spine.events.rejected},
 * {@code spine.events.failed} (events of batches that failed) and the timer
 * {@code spine.event.delivery_latency_seconds} (event timestamp to its jobs committed).
 */
public final class IngestMetrics {
    /** Per legacy shape, events adapted on the way in (exported as {@code spine_events_adapted_total{shape}}). */
    public static final String ADAPTED_PREFIX = "spine.events.adapted.";
    /**
     * How old a read of the consumer's counts may be: a scrape asks the broker (or, on the PostgreSQL bus,
     * counts rows) at most this often, however many scrapers there are.
     */
    static final Duration CONSUMER_READ_EVERY = Duration.ofSeconds(5);
    private final Counter events;
    private final Counter jobsCreated;
    private final Counter unrouted;
    private final Counter rejected;
    private final Counter failures;
    private final Histogram batchSize;
    private final Counter delivered;
    private final Counter rejectedEvents;
    private final Counter failedEvents;
    private final Timer deliveryLatency;

    private final MetricRegistry registry;

    public IngestMetrics(MetricRegistry registry) {
        this.registry = registry;
        events = registry.counter("spine.ingest.events");
        jobsCreated = registry.counter("spine.ingest.jobs_materialized");
        unrouted = registry.counter("spine.ingest.unrouted");
        rejected = registry.counter("spine.ingest.rejected");
        failures = registry.counter("spine.ingest.failures");
        batchSize = registry.histogram("spine.ingest.batch_size");
        delivered = registry.counter("spine.events.delivered");
        rejectedEvents = registry.counter("spine.events.rejected");
        failedEvents = registry.counter("spine.events.failed");
        deliveryLatency = registry.timer("spine.event.delivery_latency_seconds");
    }

    /** Registers the lag gauge ({@link dev.spine.service.JobService#CONSUMER_LAG_GAUGE}) of {@code durable} on {@code bus}. */
    public void watchConsumer(EventBus bus, String durable) {
        registry.remove(dev.spine.service.JobService.CONSUMER_LAG_GAUGE + durable); // one left by a service stopped before, on its closed bus
        registry.gauge(dev.spine.service.JobService.CONSUMER_LAG_GAUGE + durable, () -> new CachedGauge<ConsumerStats>(
                CONSUMER_READ_EVERY.toMillis(), TimeUnit.MILLISECONDS) {
            @Override
            protected ConsumerStats loadValue() {
                return bus.consumer(durable).orElse(null); // null until the ingest has created its durable
            }
        });
    }

    /** A legacy event adapted at ingest: {@code spine.events.adapted.<shape>}. */
    void adapted(EnvelopeAdapter.Shape shape) {
        registry.counter(ADAPTED_PREFIX + shape.label()).inc();
    }

    void batch(int size, int jobs, int unroutedEvents, int rejectedEvents) {
        events.inc(size);
        jobsCreated.inc(jobs);
        unrouted.inc(unroutedEvents);
        rejected.inc(rejectedEvents);
        this.rejectedEvents.inc(rejectedEvents);
        batchSize.update(size);
    }

    /**
     * Live events whose batch committed; {@code latencies} from each decoded event's timestamp. An event's
     * timestamp is the producer's claim (year 1 and year 9999 are valid): a latency below zero counts as
     * zero and one beyond what nanoseconds hold (~292 years) as the most, so no timestamp can fail a batch
     * that has already committed.
     */
    void delivered(int size, List<Duration> latencies) {
        delivered.inc(size);
        for (Duration d : latencies) {
            deliveryLatency.update(saturatedNanos(d), TimeUnit.NANOSECONDS);
        }
    }

    static long saturatedNanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : d.toNanos();
    }

    void failure(int events) {
        failures.inc();
        failedEvents.inc(events);
    }
}
