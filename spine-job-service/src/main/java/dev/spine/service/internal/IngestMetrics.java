package dev.spine.service.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;

/**
 * Counters of the event-to-job path: {@code spine.ingest.events}, {@code .jobs_materialized},
 * {@code .unrouted}, {@code .rejected}, {@code .batches}, {@code .failures} and the batch size histogram.
 */
public final class IngestMetrics {
    private final Counter events;
    private final Counter jobsCreated;
    private final Counter unrouted;
    private final Counter rejected;
    private final Counter failures;
    private final Histogram batchSize;

    public IngestMetrics(MetricRegistry registry) {
        events = registry.counter("spine.ingest.events");
        jobsCreated = registry.counter("spine.ingest.jobs_materialized");
        unrouted = registry.counter("spine.ingest.unrouted");
        rejected = registry.counter("spine.ingest.rejected");
        failures = registry.counter("spine.ingest.failures");
        batchSize = registry.histogram("spine.ingest.batch_size");
    }

    void batch(int size, int jobs, int unroutedEvents, int rejectedEvents) {
        events.inc(size);
        jobsCreated.inc(jobs);
        unrouted.inc(unroutedEvents);
        rejected.inc(rejectedEvents);
        batchSize.update(size);
    }

    void failure() {
        failures.inc();
    }
}
