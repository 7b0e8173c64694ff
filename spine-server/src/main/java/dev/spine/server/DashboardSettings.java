package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.time.Duration;
import java.util.Map;

/**
 * How often the dashboard's queue history ({@code GET /v1/queues/history}: depth and throughput per queue over
 * the last hour) takes a reading. The server keeps the hour, so a page opened now draws it at once.
 */
public record DashboardSettings(Duration sampleInterval) {
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(10);
    /** Below a second the hour would hold thousands of readings per queue for a chart a few hundred pixels wide. */
    public static final Duration MIN_SAMPLE_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_SAMPLE_INTERVAL = Duration.ofMinutes(5);
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add("SPINE_DASHBOARD_SAMPLE_INTERVAL", DEFAULT_SAMPLE_INTERVAL.toSeconds() + "s",
                    "how often the dashboard's queue history (depth, throughput) is sampled (1s..5m)")
            .build();

    static DashboardSettings from(SettingsReader r) {
        Duration interval = r.duration("SPINE_DASHBOARD_SAMPLE_INTERVAL");
        if (interval.compareTo(MIN_SAMPLE_INTERVAL) < 0 || interval.compareTo(MAX_SAMPLE_INTERVAL) > 0) {
            throw new ConfigException("SPINE_DASHBOARD_SAMPLE_INTERVAL", "must be 1s..5m, was " + interval);
        }
        return new DashboardSettings(interval);
    }

    Map<String, String> asVariables() {
        return Map.of("SPINE_DASHBOARD_SAMPLE_INTERVAL", sampleInterval.toMillis() + "ms");
    }
}
