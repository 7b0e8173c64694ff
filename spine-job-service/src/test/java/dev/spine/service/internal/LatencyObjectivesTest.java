package dev.spine.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.Job;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LatencyObjectivesTest {
    private static final Instant NOW = Instant.parse("2026-12-04T20:00:00.500Z");

    @Test
    void anObjectiveIsMetWhileTheStartLatencyP99StaysUnderItsTarget() {
        var registry = new MetricRegistry();
        var objectives = new LatencyObjectives(registry, Clock.systemUTC());
        var realtime = registry.timer(LatencyObjectives.START_LATENCY + "realtime");
        for (int i = 0; i < 1000; i++) {
            realtime.update(Duration.ofMillis(20));
        }
        assertTrue(objectives.all().get("realtime").met());
        assertEquals(1, registry.getGauges().get("spine.jobs.slo_met.realtime").getValue());
        for (int i = 0; i < 1000; i++) {
            realtime.update(Duration.ofMillis(300));
        }
        assertFalse(objectives.all().get("realtime").met(), "p99 of 300 ms breaches 100 ms");
        assertEquals(0, registry.getGauges().get("spine.jobs.slo_met.realtime").getValue());
        assertTrue(objectives.all().get("interactive").met(), "no samples: nothing breached");
    }

    @Test
    void aJobFromAnEventIsTimedFromThePublishNotFromItsEnqueueNorItsDueTime() throws Exception {
        var registry = new MetricRegistry();
        var objectives = new LatencyObjectives(registry, Clock.fixed(NOW, ZoneOffset.UTC));
        AtomicInteger ran = new AtomicInteger();
        // published 300 ms before it starts; enqueued (and due) 10 ms before: only the publish shows the breach
        objectives.timed(job -> ran.incrementAndGet()).handle(eventJob("realtime", "2026-12-04T20:00:00.200Z",
                NOW.minusMillis(10)));
        assertEquals(1, ran.get());
        var timer = registry.timer(LatencyObjectives.START_LATENCY + "realtime");
        assertEquals(1, timer.getCount());
        assertEquals(0.3, timer.getSnapshot().getMax() / 1e9, 1e-9);
        assertFalse(objectives.all().get("realtime").met(), "300 ms from publish to start breaches 100 ms");
    }

    @Test
    void aDirectJobOrAnOldEventIsTimedFromItsEnqueueAndBackgroundIsNotTimed() throws Exception {
        Instant enqueued = NOW.minusMillis(40);
        Job direct = job("realtime", "{\"timestamp\":\"2026-12-04T20:00:00.000Z\"}", "my-own-key", enqueued);
        assertEquals(enqueued, LatencyObjectives.origin(direct), "not keyed like an event's job: its payload is its own");
        Job replayed = eventJob("realtime", "2026-12-04T19:00:00.000Z", enqueued);
        assertEquals(enqueued, LatencyObjectives.origin(replayed), "an event an hour old when enqueued: a replay");
        var registry = new MetricRegistry();
        new LatencyObjectives(registry, Clock.fixed(NOW, ZoneOffset.UTC)).timed(job -> { })
                .handle(eventJob("background", "2026-12-04T20:00:00.000Z", enqueued));
        assertEquals(0, registry.timer(LatencyObjectives.START_LATENCY + "realtime").getCount());
        assertTrue(registry.getTimers().keySet().stream().noneMatch(n -> n.endsWith("background")),
                "background promises no start latency: " + registry.getTimers().keySet());
    }

    private static Job eventJob(String queue, String published, Instant enqueued) {
        String payload = "{\"eventId\":\"e1\",\"eventType\":\"communication.MessageReceived\",\"timestamp\":\""
                + published + "\",\"data\":{}}";
        return job(queue, payload, "e1:RunRuleEngineJob", enqueued);
    }

    private static Job job(String queue, String payload, String key, Instant enqueued) {
        return new Job(UUID.randomUUID(), queue, "RunRuleEngineJob", payload, 1, 3, 0, key, null, null, null, enqueued,
                enqueued, new ObjectMapper());
    }
}
