package dev.spine.contracts;

import java.time.Duration;
import java.util.Locale;

/**
 * How urgently a job must run. Each tier has its own queue (so a flood of background work never
 * delays realtime jobs) and a latency target from enqueue to start that the platform is measured
 * against; {@link #BACKGROUND} has no target.
 */
public enum JobTier {
    /** User-visible reactions (rule engine): started within 100 ms. */
    REALTIME("realtime", Duration.ofMillis(100)),
    /** Request/response work such as LLM queries: started within 5 s. */
    INTERACTIVE("interactive", Duration.ofSeconds(5)),
    /** Throughput work (indexing, ingestion): no latency target. */
    BACKGROUND("background", null);

    private final String queueName;
    private final Duration latencyTarget;

    JobTier(String queueName, Duration latencyTarget) {
        this.queueName = queueName;
        this.latencyTarget = latencyTarget;
    }

    /** The queue this tier's jobs go to: {@code realtime}, {@code interactive} or {@code background}. */
    public String queueName() {
        return queueName;
    }

    /** The enqueue-to-start target, or {@code null} for {@link #BACKGROUND}. */
    public Duration latencyTarget() {
        return latencyTarget;
    }

    /** True if this tier promises a start latency. */
    public boolean hasLatencyTarget() {
        return latencyTarget != null;
    }

    /**
     * The tier for a queue name or enum name, case-insensitive.
     *
     * @throws IllegalArgumentException naming the unknown value and the allowed ones
     */
    public static JobTier fromName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (JobTier t : values()) {
                if (t.queueName.equals(n)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("tier must be one of realtime, interactive, background; got " + name);
    }
}
