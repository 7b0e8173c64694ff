package dev.spine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.QueueStats;
import dev.spine.service.LatencyObjective;
import dev.spine.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The dashboard's hour of readings: rates from the run timers' differences, the ring's bound, gaps. */
class QueueHistoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MetricRegistry metrics = new MetricRegistry();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicReference<List<QueueStats>> stats = new AtomicReference<>(List.of(stats("realtime", 3)));

    private QueueHistory history(Duration interval) {
        Map<String, LatencyObjective> slo = Map.of("realtime",
                new LatencyObjective("realtime", Duration.ofMillis(100), 0.02, true));
        return new QueueHistory(stats::get, metrics, () -> slo, clock, interval, "worker-1");
    }

    private static QueueStats stats(String queue, long available) {
        return new QueueStats(queue, false, available, 0, 1, 0);
    }

    private void ran(String queue, int n) {
        for (int i = 0; i < n; i++) {
            metrics.timer("spine.jobs.run." + queue).update(1, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void throughputIsTheRunCountsDifferenceOverTheTimeBetweenReadings() {
        QueueHistory h = history(Duration.ofSeconds(10));
        ran("realtime", 5);
        h.sample();
        clock.advance(Duration.ofSeconds(10));
        ran("realtime", 40);
        stats.set(List.of(stats("realtime", 7), stats("background", 100)));
        h.sample();
        JsonNode v = JSON.valueToTree(h.view());
        assertEquals(2, v.path("at").size());
        assertEquals(10.0, v.path("intervalSeconds").asDouble());
        JsonNode realtime = v.path("queues").path("realtime");
        assertEquals("[3,7]", realtime.path("depth").toString());
        assertTrue(realtime.path("runsPerSecond").get(0).isNull(), "no rate from a single reading");
        assertEquals(4.0, realtime.path("runsPerSecond").get(1).asDouble(), "40 runs in 10 s");
        assertEquals("met", realtime.path("objective").path("status").asText());
        assertEquals(0.1, realtime.path("objective").path("targetSeconds").asDouble());
        assertEquals(0.02, realtime.path("p99WaitSeconds").get(1).asDouble());
        JsonNode background = v.path("queues").path("background");
        assertTrue(background.path("depth").get(0).isNull(), "a queue not read yet is a gap, not a zero");
        assertEquals(100, background.path("depth").get(1).asLong());
        assertEquals(0.0, background.path("runsPerSecond").get(1).asDouble(), "a queue that ran nothing");
        assertTrue(background.path("objective").isMissingNode(), "background has no latency objective");
    }

    @Test
    void theRingKeepsTheLastHourAndDropsTheOldestFirst() {
        QueueHistory h = history(Duration.ofMinutes(5)); // an hour is 12 readings
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            times.add(clock.millis());
            h.sample();
            clock.advance(Duration.ofMinutes(5));
        }
        JsonNode at = JSON.valueToTree(h.view()).path("at");
        assertEquals(12, at.size());
        assertEquals(times.get(3).longValue(), at.get(0).asLong(), "the three oldest went first");
        assertEquals(times.get(14).longValue(), at.get(11).asLong());
    }

    @Test
    void aFailedReadingLeavesAGapAndTheSamplerGoesOn() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        QueueHistory h = new QueueHistory(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database away");
            }
            return List.of(stats("realtime", 1));
        }, metrics, Map::of, java.time.Clock.systemUTC(), Duration.ofSeconds(1), "worker-1");
        try (QueueHistory running = h.start()) {
            // scheduleAtFixedRate would stop for good on a thrown exception: the second reading proves it did not
            dev.spine.testkit.Eventually.await("a reading after the failed one", Duration.ofSeconds(10),
                    () -> JSON.valueToTree(running.view()).path("at").size() == 1);
            assertTrue(calls.get() >= 2, "the failed reading left no point: " + calls.get());
        }
    }
}
