package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Markdown of a {@code spine bench all} result (bench/results/latest.json): the machine and date, the
 * headline ratios against their targets, and every run's raw figures. {@code spine bench all} prints it,
 * and scripts/bench-table.sh puts it into spine-bench/README.md, so the published table is always
 * generated from a result file, never typed.
 *
 * <p>{@code java -cp ... dev.spine.bench.BenchTable [latest.json]} prints it for a given file, followed
 * by the scale curves when a scale.json (the line of {@code spine bench scale}) lies beside it.
 */
public final class BenchTable {
    private BenchTable() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "bench/results/latest.json").toAbsolutePath();
        ObjectMapper json = new ObjectMapper();
        System.out.print(markdown(json.readTree(file.toFile())));
        Path scale = file.resolveSibling("scale.json");
        if (Files.exists(scale)) {
            System.out.print("\n" + scaleMarkdown(json.readTree(scale.toFile())));
        }
    }

    /** The JSON line of {@code spine bench scale}, saved as scale.json beside latest.json. */
    static String scaleMarkdown(JsonNode scale) {
        StringBuilder md = new StringBuilder("Scale curves (`./spine bench scale > bench/results/scale.json`");
        md.append(scale.has("date") ? ", " + scale.path("date").asText() : "").append("): ")
                .append(scale.path("depth_method").asText()).append(".\n\n")
                .append("| jobs queued | enqueue singly µs/job | enqueue in batches µs/job | drain µs/job |\n")
                .append("|---:|---:|---:|---:|\n");
        for (JsonNode r : scale.path("depth")) {
            md.append("| ").append(r.path("queued").asLong()).append(" | ").append(r.path("enqueue_single_us").asText())
                    .append(" | ").append(r.path("enqueue_batch_us").asText()).append(" | ")
                    .append(r.path("drain_us").asText()).append(" |\n");
        }
        md.append("\n").append(scale.path("instances_method").asText()).append(" (")
                .append(scale.path("instances_events").asText()).append(" events).\n\n")
                .append("| job-service instances | event->job done /s |\n|---:|---:|\n");
        for (JsonNode r : scale.path("instances")) {
            md.append("| ").append(r.path("instances").asInt()).append(" | ").append(r.path("event_to_done_per_s").asText())
                    .append(" |\n");
        }
        return md.toString();
    }

    static String markdown(JsonNode latest) {
        StringBuilder md = new StringBuilder();
        JsonNode m = latest.path("machine");
        md.append("Measured ").append(latest.path("date").asText()).append(" by `./spine bench all` on ")
                .append(m.path("nproc").asText()).append(" cores, ").append(m.path("memory_mb").asText())
                .append(" MB RAM, ").append(m.path("cpu_model").asText()).append("; ").append(m.path("os").asText())
                .append(", ").append(m.path("java").asText()).append(", Node.js ").append(m.path("node").asText())
                .append("; PostgreSQL ").append(m.path("postgresql").asText()).append(", nats-server ")
                .append(m.path("nats_server").asText())
                .append(m.has("load_average_before") ? ". Load average (1/5/15 min) before " + m.path("load_average_before")
                        .asText() + ", after " + m.path("load_average_after").asText() : "")
                .append(". Workload: ").append(latest.path("workload").asText())
                .append(".\n\n");
        if (m.path("node").asText().equals("not found")) {
            md.append("**Node.js was not found: pg-boss, graphile-worker and nats.js+pg-boss were not measured.**\n\n");
        }
        md.append("| figure | ours | peer | ours/peer (or value) | target | met |\n|---|---:|---:|---:|---|---|\n");
        int targets = 0;
        int met = 0;
        // from the runs, not the stored ratios: rows added since (the floors) show for older results too
        for (JsonNode r : HeadlineRatios.compute(latest.path("runs"))) {
            boolean ratio = !r.path("kind").asText().equals("absolute");
            md.append("| ").append(r.path("figure").asText()).append(" | ");
            if (r.has("unmeasured")) {
                md.append("| | not measured: ").append(r.path("unmeasured").asText().replace('|', '/')).append(" | ")
                        .append(r.path("target").asText("")).append(" | — |\n");
                continue;
            }
            md.append(HeadlineRatios.format(r.path("ours").asDouble())).append(" | ")
                    .append(r.has("peer") ? HeadlineRatios.format(r.path("peer").asDouble()) : "").append(" | ")
                    .append(HeadlineRatios.format(r.path("value").asDouble())).append(ratio ? "x" : "").append(" | ")
                    .append(r.path("target").asText("")).append(" | ");
            if (r.has("met")) {
                targets++;
                met += r.path("met").asBoolean() ? 1 : 0;
                md.append(r.path("met").asBoolean() ? "yes" : "**no**");
            }
            md.append(" |\n");
        }
        md.append("\nTargets met: ").append(met).append(" of ").append(targets).append(" measured.\n\n");
        md.append("Each run's own JSON line (figures per second unless named `_ms` / `_mb`):\n\n| run | figures |\n|---|---|\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = latest.path("runs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> run = it.next();
            md.append("| ").append(run.getKey()).append(" | ").append(figures(run.getValue())).append(" |\n");
        }
        return md.toString();
    }

    private static String figures(JsonNode run) {
        StringBuilder s = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = run.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(f.getKey()).append(' ').append(f.getValue().isNumber()
                    ? HeadlineRatios.format(f.getValue().asDouble()) : f.getValue().asText().replace('|', '/'));
        }
        return s.toString();
    }
}
