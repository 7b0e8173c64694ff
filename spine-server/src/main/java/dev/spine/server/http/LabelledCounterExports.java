package dev.spine.server.http;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;

/**
 * Dropwizard counters named {@code <prefix><value>} as one Prometheus counter family with the value as a label:
 * {@code spine.events.adapted.pg-bus} becomes {@code spine_events_adapted_total{shape="pg-bus"}} (events adapted
 * from a legacy shape) and {@code spine.events.uncaptured.widget} becomes
 * {@code spine_events_uncaptured_total{subject_prefix="widget."}} (plain publishes no stream captured). The
 * value may hold characters a metric name cannot ({@code -}), which is why it is a label.
 */
final class LabelledCounterExports implements MultiCollector {
    /** One family: the counters' name prefix, the Prometheus name (without _total), its label and help. */
    record Family(String prefix, String name, String label, String labelSuffix, String help) {}

    static final List<Family> FAMILIES = List.of(
            new Family("spine.events.adapted.", "spine_events_adapted", "shape", "",
                    "Events adapted from a legacy shape on the way in, per shape"),
            new Family("spine.events.uncaptured.", "spine_events_uncaptured", "subject_prefix", ".",
                    "Plain NATS publishes on event subjects no stream captures, per domain"));

    private final MetricRegistry registry;

    LabelledCounterExports(MetricRegistry registry) {
        this.registry = registry;
    }

    /** Whether {@code name} is one of these families' counters (the plain bridge leaves it to this one). */
    static boolean covers(String name) {
        return FAMILIES.stream().anyMatch(f -> name.startsWith(f.prefix()));
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Family f : FAMILIES) {
            Map<String, Counter> counters = registry.getCounters((name, metric) -> name.startsWith(f.prefix()));
            if (counters.isEmpty()) {
                continue;
            }
            CounterSnapshot.Builder family = CounterSnapshot.builder().name(f.name()).help(f.help());
            counters.forEach((name, c) -> family.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of(f.label(), name.substring(f.prefix().length()) + f.labelSuffix()))
                    .value(c.getCount()).build()));
            out.metricSnapshot(family.build());
        }
        return out.build();
    }
}
