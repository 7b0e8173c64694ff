package dev.spine.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {
    /** An event stamped in year 1 once failed its committed batch on a nanosecond overflow, for ever. */
    @Test
    void anyEventTimestampGivesALatencyAndNeverAnOverflow() {
        Instant now = Instant.parse("2026-11-26T07:20:00Z");
        assertEquals(Long.MAX_VALUE, IngestMetrics.saturatedNanos(Duration.between(Instant.parse("0001-01-01T00:00:00Z"), now)));
        assertEquals(0, IngestMetrics.saturatedNanos(Duration.between(Instant.parse("9999-12-31T23:59:59.999Z"), now)));
        assertEquals(1_500_000, IngestMetrics.saturatedNanos(Duration.ofNanos(1_500_000)));
    }
}
