package dev.spine.server.http;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;

/**
 * The job queue's unserved gauges, {@code spine.jobs.unserved.<queue>.<type>}, as one Prometheus family
 * {@code spine_jobs_unserved{queue,type}}: jobs waiting of a type no live worker serves in that queue. Apart
 * from {@link QueueLabelledExports} because these carry two labels and a type may contain dots (queue names
 * cannot), so the name splits at the first dot after the prefix, which the bridge's glob mapping cannot do.
 */
final class UnservedExports implements MultiCollector {
    static final String PREFIX = "spine.jobs.unserved.";
    static final String NAME = "spine_jobs_unserved";

    private final MetricRegistry registry;

    UnservedExports(MetricRegistry registry) {
        this.registry = registry;
    }

    @Override
    public MetricSnapshots collect() {
        GaugeSnapshot.Builder family = GaugeSnapshot.builder().name(NAME)
                .help("Jobs waiting of a type no live worker serves in the queue (spine.jobs.unserved.<queue>.<type>)");
        boolean any = false;
        for (Map.Entry<String, Gauge> e : registry.getGauges((name, metric) -> name.startsWith(PREFIX)).entrySet()) {
            String rest = e.getKey().substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0 || dot == rest.length() - 1 || !(e.getValue().getValue() instanceof Number value)) {
                continue;
            }
            family.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("queue", rest.substring(0, dot), "type", rest.substring(dot + 1)))
                    .value(value.doubleValue()).build());
            any = true;
        }
        return any ? MetricSnapshots.of(family.build()) : MetricSnapshots.of();
    }
}
