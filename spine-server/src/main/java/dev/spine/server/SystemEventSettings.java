package dev.spine.server;

import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether the process announces itself on the bus ({@code system.ServiceStarted}, {@code system.ServiceStopping},
 * {@code system.HealthCheckFailed} / {@code system.HealthCheckRecovered}) and how often its readiness checks are
 * looked at for a flip.
 */
public record SystemEventSettings(boolean enabled, Duration healthInterval) {
    public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add("SPINE_SYSTEM_EVENTS", "true",
                    "publish system.ServiceStarted/ServiceStopping and system.HealthCheckFailed/Recovered on the bus")
            .add("SPINE_HEALTH_EVENT_INTERVAL", DEFAULT_HEALTH_INTERVAL.toSeconds() + "s",
                    "how often the readiness checks are run to see one fail or recover")
            .build();

    static SystemEventSettings from(SettingsReader r) {
        Duration interval = r.duration("SPINE_HEALTH_EVENT_INTERVAL");
        if (interval.isZero() || interval.isNegative()) {
            throw new dev.spine.contracts.ConfigException("SPINE_HEALTH_EVENT_INTERVAL", "must be > 0, was " + interval);
        }
        return new SystemEventSettings(r.bool("SPINE_SYSTEM_EVENTS"), interval);
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_SYSTEM_EVENTS", String.valueOf(enabled));
        m.put("SPINE_HEALTH_EVENT_INTERVAL", healthInterval.toMillis() + "ms");
        return m;
    }
}
