package dev.spine.server.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.spine.events.ConsumerStats;
import dev.spine.service.JobService;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest consumer's lag as {@code spine_events_consumer_pending{stream,consumer}} (events not yet delivered
 * to the job service) and {@code spine_events_consumer_unacknowledged{stream,consumer}} (delivered, not yet
 * committed as jobs), from the engine's {@code spine.events.consumer.<durable>} gauges. Every pod reads the same
 * shared consumer, so the numbers are consumer-wide: aggregate with max, never sum. A broker that cannot be read
 * leaves the families out of that scrape (health reports the broker) instead of failing it.
 */
final class ConsumerLagExports implements MultiCollector {
    static final String PENDING = "spine_events_consumer_pending";
    static final String UNACKNOWLEDGED = "spine_events_consumer_unacknowledged";
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagExports.class);

    private final MetricRegistry registry;

    ConsumerLagExports(MetricRegistry registry) {
        this.registry = registry;
    }

    /** Whether {@code name} is one of the gauges exported here (the plain bridge leaves them out). */
    static boolean covers(String name) {
        return name.startsWith(JobService.CONSUMER_LAG_GAUGE);
    }

    @Override
    public MetricSnapshots collect() {
        GaugeSnapshot.Builder pending = GaugeSnapshot.builder().name(PENDING)
                .help("Events of the stream not yet delivered to the durable consumer (consumer lag)");
        GaugeSnapshot.Builder unacknowledged = GaugeSnapshot.builder().name(UNACKNOWLEDGED)
                .help("Events delivered to the durable consumer and not yet acknowledged");
        boolean any = false;
        for (Map.Entry<String, Gauge> e : registry.getGauges((name, metric) -> covers(name)).entrySet()) {
            Object value;
            try {
                value = e.getValue().getValue();
            } catch (RuntimeException unreadable) {
                LOG.debug("{} cannot be read now; left out of this scrape", e.getKey(), unreadable);
                continue;
            }
            if (value instanceof ConsumerStats c) {
                Labels labels = Labels.of("consumer", c.consumer(), "stream", c.stream());
                pending.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(c.pending()).build());
                unacknowledged.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                        .value(c.unacknowledged()).build());
                any = true;
            }
        }
        return any ? MetricSnapshots.of(pending.build(), unacknowledged.build()) : MetricSnapshots.of();
    }
}
