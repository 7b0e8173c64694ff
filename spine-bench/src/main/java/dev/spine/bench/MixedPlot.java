package dev.spine.bench;

import dev.spine.contracts.JobTier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mixed benchmark's plot, an SVG drawn by hand (no charting dependency): per tier, the p99 and the median
 * of publish→handler latency in each second on a log scale, the phases shaded; below, the job service
 * consumer's pending count. The warm-up is left out.
 */
final class MixedPlot {
    private static final int W = 960, TOP_H = 360, BOTTOM_H = 140, LEFT = 70, RIGHT = 20, TITLE = 30, GAP = 40;
    private static final double MIN_MS = 0.1, MAX_MS = 10_000;
    private static final Map<JobTier, String> COLOURS = Map.of(JobTier.REALTIME, "#d62728", JobTier.INTERACTIVE,
            "#1f77b4", JobTier.BACKGROUND, "#7f7f7f");
    private static final String[] SHADES = {"#ffffff", "#f0f7ff", "#fff6e6", "#ffe9e9", "#eefaee"};

    private MixedPlot() {}

    static Path write(Path file, MixedBench.Samples samples, MixedBench.Pending pending, String title) throws Exception {
        long t0 = samples.phaseStart(MixedBench.IDLE);
        long tEnd = samples.millis();
        double seconds = Math.max(1, (tEnd - t0) / 1000.0);
        int plotW = W - LEFT - RIGHT;
        int h = TITLE + TOP_H + GAP + BOTTOM_H + 40;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", W, h));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        // phase bands over both panels
        for (int p = MixedBench.IDLE; p < MixedBench.PHASES.size(); p++) {
            long start = samples.phaseStart(p);
            long end = p + 1 < MixedBench.PHASES.size() && samples.phaseStart(p + 1) > 0 ? samples.phaseStart(p + 1) : tEnd;
            double x0 = LEFT + plotW * (start - t0) / 1000.0 / seconds;
            double x1 = LEFT + plotW * (end - t0) / 1000.0 / seconds;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    x0, TITLE, Math.max(0, x1 - x0), TOP_H + GAP + BOTTOM_H, SHADES[p]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#555\">%s</text>%n", x0 + 3,
                    TITLE + 12, MixedBench.PHASES.get(p)));
        }
        // latency axis (log)
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            double y = yLatency(ms);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT, W - RIGHT, y, y, LEFT - 4,
                    y + 4, ms < 1 ? String.valueOf(ms) : String.valueOf((long) ms)));
        }
        for (JobTier tier : JobTier.values()) {
            Map<Long, long[]> bySecond = new TreeMap<>();
            for (long[] s : samples.snapshot(tier)) {
                if (s[0] >= t0) {
                    long sec = (s[0] - t0) / 1000;
                    long[] b = bySecond.computeIfAbsent(sec, k -> new long[0]);
                    long[] grown = Arrays.copyOf(b, b.length + 1);
                    grown[b.length] = s[1];
                    bySecond.put(sec, grown);
                }
            }
            StringBuilder p99 = new StringBuilder();
            StringBuilder p50 = new StringBuilder();
            long previous = Long.MIN_VALUE;
            for (Map.Entry<Long, long[]> e : bySecond.entrySet()) {
                if (e.getKey() > previous + 1 && p99.length() > 0) { // a second with no sample: the line breaks
                    polylines(svg, COLOURS.get(tier), p99, p50);
                    p99.setLength(0);
                    p50.setLength(0);
                }
                previous = e.getKey();
                long[] v = e.getValue();
                Arrays.sort(v);
                double x = LEFT + plotW * (e.getKey() + 0.5) / seconds;
                p99.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yLatency(v[Math.min(v.length - 1, (int) (0.99 * v.length))] / 1000.0)));
                p50.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yLatency(v[v.length / 2] / 1000.0)));
            }
            polylines(svg, COLOURS.get(tier), p99, p50);
        }
        // legend
        int lx = W - RIGHT - 300;
        int i = 0;
        for (JobTier tier : JobTier.values()) {
            int ly = TITLE + 28 + 14 * i++;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s p99 per second (dashed: p50)</text>%n", lx, lx + 20, ly - 4, ly - 4,
                    COLOURS.get(tier), lx + 25, ly, tier.queueName()));
        }
        // pending panel
        int top = TITLE + TOP_H + GAP;
        List<long[]> series = pending.series();
        long max = 1;
        for (long[] s : series) {
            if (s[0] >= t0) {
                max = Math.max(max, s[1]);
            }
        }
        StringBuilder pts = new StringBuilder();
        for (long[] s : series) {
            if (s[0] >= t0) {
                double x = LEFT + plotW * (s[0] - t0) / 1000.0 / seconds;
                double y = top + BOTTOM_H - BOTTOM_H * (double) s[1] / max;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" points=\"%s\"/>%n", pts));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>"
                + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>"
                + "<text x=\"%d\" y=\"%d\">consumer pending (events not yet ingested)</text>%n",
                LEFT - 4, top + 8, max, LEFT - 4, top + BOTTOM_H, LEFT + 4, top + 12));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LEFT,
                W - RIGHT, top + BOTTOM_H, top + BOTTOM_H));
        for (int s = 0; s <= seconds; s += 10) {
            double x = LEFT + plotW * s / seconds;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d s</text>%n", x,
                    top + BOTTOM_H + 16, s));
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg, StandardCharsets.UTF_8);
        return file;
    }

    private static void polylines(StringBuilder svg, String colour, CharSequence p99, CharSequence p50) {
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                colour, p99));
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1\" "
                + "stroke-dasharray=\"4 3\" points=\"%s\"/>%n", colour, p50));
    }

    private static double yLatency(double ms) {
        double v = Math.max(MIN_MS, Math.min(MAX_MS, ms));
        double frac = (Math.log10(v) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
        return TITLE + TOP_H - frac * (TOP_H - 20);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
