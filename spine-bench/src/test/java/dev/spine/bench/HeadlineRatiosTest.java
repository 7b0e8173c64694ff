package dev.spine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HeadlineRatiosTest {
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode row(JsonNode rows, String figure) {
        for (JsonNode r : rows) {
            if (r.path("figure").asText().equals(figure)) {
                return r;
            }
        }
        throw new AssertionError("no row " + figure);
    }

    private JsonNode rows(String runs) throws Exception {
        return HeadlineRatios.compute(json.readTree(runs));
    }

    @Test
    void throughputIsOursOverPeerAndMarkedAgainstItsTarget() throws Exception {
        JsonNode rows = rows("""
                {"jobs": {"insert_per_s": 90000, "send_per_s": 8000, "drain_per_s": 20000, "lat_p99_ms": 4.2},
                 "pgboss": {"insert_per_s": 30000, "send_per_s": 2000, "drain_per_s": 6000, "lat_p99_ms": 9}}""");
        JsonNode insert = row(rows, "batch insert /s vs pg-boss");
        assertEquals(3.0, insert.path("value").asDouble());
        assertTrue(insert.path("met").asBoolean());
        JsonNode drain = row(rows, "drain /s vs pg-boss");
        assertEquals(3.333, drain.path("value").asDouble());
        assertFalse(drain.path("met").asBoolean(), "3.3x misses >= 4x");
    }

    @Test
    void latencyRatiosArePeerOverOursAndTheAbsoluteTargetIsOurs() throws Exception {
        JsonNode rows = rows("""
                {"jobs": {"lat_p99_ms": 4.5}, "pgboss": {"lat_p99_ms": 9}}""");
        assertEquals(2.0, row(rows, "enqueue->handler p99: pg-boss / ours").path("value").asDouble());
        JsonNode p99 = row(rows, "enqueue->handler p99 ms (ours)");
        assertEquals(4.5, p99.path("value").asDouble());
        assertTrue(p99.path("met").asBoolean());
    }

    @Test
    void theEventsRatioIsThePairedOneTheBenchmarkMeasured() throws Exception {
        JsonNode rows = rows("""
                {"events": {"publish_async_per_s": 80, "raw_publish_async_per_s": 100, "ratio_publish_async": 0.9}}""");
        JsonNode r = row(rows, "spine client / raw jnats: publish async");
        assertEquals(0.9, r.path("value").asDouble());
        assertTrue(r.path("met").asBoolean());
    }

    @Test
    void aSkippedOrFailedPeerLeavesItsRowsUnmeasuredWithTheReason() throws Exception {
        JsonNode rows = rows("""
                {"jobs": {"insert_per_s": 1}, "pgboss": {"peer": "pgboss", "skipped": "Node.js not found on PATH"},
                 "jobrunr": {"error": "timed out"}}""");
        assertEquals("pgboss skipped: Node.js not found on PATH",
                row(rows, "batch insert /s vs pg-boss").path("unmeasured").asText());
        assertEquals("jobrunr failed: timed out", row(rows, "batch insert /s vs JobRunr").path("unmeasured").asText());
        assertEquals("graphile not run", row(rows, "batch insert /s vs graphile-worker").path("unmeasured").asText());
        assertFalse(row(rows, "batch insert /s vs pg-boss").has("met"));
    }

    @Test
    void theHeapTargetIsStrictlyBelow() throws Exception {
        String figure = "job service peak heap MB (spine bench, -Xmx256m)";
        assertFalse(row(rows("{\"spine\": {\"heap_peak_mb\": 256}}"), figure).path("met").asBoolean());
        assertTrue(row(rows("{\"spine\": {\"heap_peak_mb\": 255}}"), figure).path("met").asBoolean());
    }
}
