package dev.spine.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyObjectivesTest {

    @Test
    void anObjectiveIsMetWhileTheWaitP99StaysUnderItsTarget() {
        var registry = new com.codahale.metrics.MetricRegistry();
        var objectives = new LatencyObjectives(registry);
        var realtime = registry.timer("spine.jobs.wait.realtime");
        for (int i = 0; i < 1000; i++) {
            realtime.update(java.time.Duration.ofMillis(20));
        }
        assertTrue(objectives.all().get("realtime").met());
        assertEquals(1, registry.getGauges().get("spine.jobs.slo_met.realtime").getValue());
        for (int i = 0; i < 1000; i++) {
            realtime.update(java.time.Duration.ofMillis(300));
        }
        assertTrue(!objectives.all().get("realtime").met(), "p99 of 300 ms breaches 100 ms");
        assertEquals(0, registry.getGauges().get("spine.jobs.slo_met.realtime").getValue());
        assertTrue(objectives.all().get("interactive").met(), "no samples: nothing breached");
    }
}
