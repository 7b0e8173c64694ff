package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The headline figures of {@code spine bench all}: each a ratio of ours to a peer (or an absolute figure
 * of ours), measured in the same run, marked against the target the issue set for it. Pure: it reads the
 * runs' JSON lines (keyed by run name: jobs, events, spine, pgboss, graphile, jobrunr, node-stack,
 * node-stack-batch) and writes rows; a run that is missing, skipped or failed leaves its rows unmeasured
 * with the reason, never a made-up number.
 */
final class HeadlineRatios {
    /** A bound a figure must meet; {@code op} is one of ">=", "<=", "<". */
    record Target(String op, double bound, String unit) {
        boolean met(double v) {
            return switch (op) {
                case ">=" -> v >= bound;
                case "<=" -> v <= bound;
                case "<" -> v < bound;
                default -> throw new IllegalArgumentException("op " + op);
            };
        }

        String text() {
            return op + " " + format(bound) + unit;
        }
    }

    /** How a row's value is made from the two figures. */
    enum Kind { OURS_OVER_PEER, PEER_OVER_OURS, ABSOLUTE, PAIRED }

    /**
     * One row. For PAIRED the value is the ratio the benchmark measured itself ({@code pairedKey}: the
     * median of back-to-back pairs, steadier on a shared machine than a quotient of two medians).
     */
    record Row(String figure, Kind kind, String ours, String oursKey, String peer, String peerKey, String pairedKey,
            Target target) {}

    static final List<Row> ROWS = List.of(
            ratio("batch insert /s vs pg-boss", "jobs", "insert_per_s", "pgboss", atLeast(2)),
            ratio("batch insert /s vs graphile-worker", "jobs", "insert_per_s", "graphile", null),
            ratio("batch insert /s vs JobRunr", "jobs", "insert_per_s", "jobrunr", null),
            ratio("single send /s vs pg-boss", "jobs", "send_per_s", "pgboss", atLeast(4)),
            ratio("single send /s vs graphile-worker", "jobs", "send_per_s", "graphile", null),
            ratio("single send /s vs JobRunr", "jobs", "send_per_s", "jobrunr", atLeast(1.5)),
            ratio("drain /s vs pg-boss", "jobs", "drain_per_s", "pgboss", atLeast(4)),
            ratio("drain /s vs graphile-worker", "jobs", "drain_per_s", "graphile", null),
            ratio("drain /s vs JobRunr", "jobs", "drain_per_s", "jobrunr", null),
            absolute("drain /s, handlers split over two processes (ours)", "jobs", "drain_mixed_per_s", null),
            absolute("enqueue->handler p99 ms (ours)", "jobs", "lat_p99_ms", new Target("<=", 5, " ms")),
            absolute("machine floor: bare one-row INSERT p99 ms, same run", "jobs", "floor_insert_p99_ms", null),
            lower("enqueue->handler p99: pg-boss / ours", "jobs", "lat_p99_ms", "pgboss"),
            lower("enqueue->handler p99: graphile-worker / ours", "jobs", "lat_p99_ms", "graphile"),
            lower("enqueue->handler p99: JobRunr / ours", "jobs", "lat_p99_ms", "jobrunr"),
            ratio("event->job done /s vs nats.js+pg-boss (send per event)", "spine", "event_to_done_per_s", "node-stack",
                    atLeast(3)),
            ratio("event->job done /s vs nats.js+pg-boss (micro-batched)", "spine", "event_to_done_per_s",
                    "node-stack-batch", atLeast(3)),
            absolute("event publish->handler p99 ms (ours)", "spine", "lat_p99_ms", new Target("<=", 10, " ms")),
            absolute("machine floor: bare JetStream publish p99 ms, same run", "spine", "floor_publish_p99_ms", null),
            absolute("machine floor: bare one-row INSERT p99 ms, same run", "spine", "floor_insert_p99_ms", null),
            lower("event p99: nats.js+pg-boss (send per event) / ours", "spine", "lat_p99_ms", "node-stack"),
            lower("event p99: nats.js+pg-boss (micro-batched) / ours", "spine", "lat_p99_ms", "node-stack-batch"),
            paired("spine client / raw jnats: publish async", "publish_async_per_s", "ratio_publish_async"),
            paired("spine client / raw jnats: publish sync", "publish_sync_per_s", "ratio_publish_sync"),
            paired("spine client / raw jnats: consume+ack", "consume_ack_per_s", "ratio_consume_ack"),
            absolute("job service peak heap MB (spine bench, -Xmx256m)", "spine", "heap_peak_mb", new Target("<", 256, " MB")));

    private HeadlineRatios() {}

    /** The rows for {@code runs} (run name -> its JSON line), as JSON objects. */
    static ArrayNode compute(JsonNode runs) {
        ArrayNode out = new ObjectMapper().createArrayNode();
        for (Row row : ROWS) {
            ObjectNode o = out.addObject();
            o.put("figure", row.figure());
            o.put("kind", row.kind().name().toLowerCase(Locale.ROOT));
            if (row.target() != null) {
                o.put("target", row.target().text());
            }
            String missing = missing(runs, row.ours(), row.oursKey());
            if (missing == null && row.peer() != null) {
                missing = missing(runs, row.peer(), row.peerKey());
            }
            if (missing != null) {
                o.put("unmeasured", missing);
                continue;
            }
            double ours = runs.get(row.ours()).get(row.oursKey()).asDouble();
            o.put("ours", ours);
            double value = ours;
            if (row.peer() != null) {
                double peer = runs.get(row.peer()).get(row.peerKey()).asDouble();
                o.put("peer", peer);
                value = switch (row.kind()) {
                    case OURS_OVER_PEER -> ours / peer;
                    case PEER_OVER_OURS -> peer / ours;
                    case PAIRED -> runs.get(row.ours()).has(row.pairedKey())
                            ? runs.get(row.ours()).get(row.pairedKey()).asDouble() : ours / peer;
                    case ABSOLUTE -> ours;
                };
            }
            o.put("value", Math.round(value * 1000) / 1000.0);
            if (row.target() != null) {
                o.put("met", row.target().met(value));
            }
        }
        return out;
    }

    /** Why a figure is not there (run skipped, failed, key absent), or null when it is. */
    private static String missing(JsonNode runs, String run, String key) {
        JsonNode r = runs.get(run);
        if (r == null) {
            return run + " not run";
        }
        if (r.has("skipped")) {
            return run + " skipped: " + r.get("skipped").asText();
        }
        if (r.has("error")) {
            return run + " failed: " + r.get("error").asText();
        }
        JsonNode v = r.get(key);
        if (v == null || !v.isNumber() || v.asDouble() < 0 || Double.isNaN(v.asDouble())) {
            return run + " has no " + key;
        }
        return null;
    }

    private static Row ratio(String figure, String ours, String key, String peer, Target target) {
        return new Row(figure, Kind.OURS_OVER_PEER, ours, key, peer, key, null, target);
    }

    private static Row lower(String figure, String ours, String key, String peer) {
        return new Row(figure, Kind.PEER_OVER_OURS, ours, key, peer, key, null, null);
    }

    private static Row absolute(String figure, String ours, String key, Target target) {
        return new Row(figure, Kind.ABSOLUTE, ours, key, null, null, null, target);
    }

    /** Ours and the peer are both in the events run: {@code key} and {@code raw_key}. */
    private static Row paired(String figure, String key, String pairedKey) {
        return new Row(figure, Kind.PAIRED, "events", key, "events", "raw_" + key, pairedKey, atLeast(0.85));
    }

    private static Target atLeast(double bound) {
        return new Target(">=", bound, "x");
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
    }
}
