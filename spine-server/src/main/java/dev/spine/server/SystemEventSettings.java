package dev.spine.server;

import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether the process announces itself on the bus ({@code system.ServiceStarted}, {@code system.ServiceStopping},
 * {@code system.HealthCheckFailed} / {@code system.HealthCheckRecovered}) and how often its readiness checks are
 * looked at for a flip; and whether plain NATS publishes on subjects no stream captures are watched for and
 * reported ({@code spine.events.uncaptured.<domain>}, a WARN per subject at most once a minute).
 */
public record SystemEventSettings(boolean enabled, Duration healthInterval, boolean watchUncaptured) {
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add("SPINE_SYSTEM_EVENTS", "true", "publish system.* events: started, stopping, health check flips")
            .add("SPINE_HEALTH_EVENT_INTERVAL", DEFAULT_HEALTH_INTERVAL.toSeconds() + "s", "how often readiness is checked for a flip")
            .add("SPINE_WATCH_UNCAPTURED", "true", "report plain NATS publishes no stream captures")
            .build();

    static SystemEventSettings from(SettingsReader r) {
        Duration interval = r.duration("SPINE_HEALTH_EVENT_INTERVAL");
        if (interval.isZero() || interval.isNegative()) {
            throw new dev.spine.contracts.ConfigException("SPINE_HEALTH_EVENT_INTERVAL", "must be > 0, was " + interval);
        }
        return new SystemEventSettings(r.bool("SPINE_SYSTEM_EVENTS"), interval, r.bool("SPINE_WATCH_UNCAPTURED"));
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_SYSTEM_EVENTS", String.valueOf(enabled));
        m.put("SPINE_HEALTH_EVENT_INTERVAL", healthInterval.toMillis() + "ms");
        m.put("SPINE_WATCH_UNCAPTURED", String.valueOf(watchUncaptured));
        return m;
    }
}
