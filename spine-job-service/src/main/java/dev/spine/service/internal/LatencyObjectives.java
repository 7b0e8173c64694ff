package dev.spine.service.internal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.spine.contracts.JobTier;
import dev.spine.service.LatencyObjective;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-tier start-latency objectives (realtime p99 under 100 ms, interactive under 5 s): the p99 of
 * spine-jobs' wait timer (due time to start, over the timer's recent window) against the tier's target.
 * Exposed as gauges {@code spine.jobs.slo_met.<queue>} (1 met, 0 breached) and
 * {@code spine.jobs.slo_p99_seconds.<queue>}, and in {@code /health/ready}'s details (informative: a
 * breached objective does not make the instance unready).
 */
public final class LatencyObjectives {
    private final MetricRegistry registry;

    public LatencyObjectives(MetricRegistry registry) {
        this.registry = registry;
        for (JobTier tier : JobTier.values()) {
            if (tier.hasLatencyTarget()) {
                String q = tier.queueName();
                registry.gauge("spine.jobs.slo_met." + q, () -> (Gauge<Integer>) () -> objective(tier).met() ? 1 : 0);
                registry.gauge("spine.jobs.slo_p99_seconds." + q, () -> (Gauge<Double>) () -> objective(tier).p99Seconds());
            }
        }
    }

    public Map<String, LatencyObjective> all() {
        Map<String, LatencyObjective> out = new LinkedHashMap<>();
        for (JobTier tier : JobTier.values()) {
            if (tier.hasLatencyTarget()) {
                out.put(tier.queueName(), objective(tier));
            }
        }
        return out;
    }

    private LatencyObjective objective(JobTier tier) {
        Timer wait = registry.getTimers().get("spine.jobs.wait." + tier.queueName());
        double p99 = wait == null || wait.getCount() == 0 ? 0 : wait.getSnapshot().get99thPercentile() / 1e9;
        return new LatencyObjective(tier.queueName(), tier.latencyTarget(), p99, p99 * 1e9 < tier.latencyTarget().toNanos());
    }
}
