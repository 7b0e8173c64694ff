package dev.spine.service;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the engine consumes events: the durable consumer every instance shares ({@code SPINE_CONSUMER}:
 * competing consumers), the micro-batch (at most {@code batchSize} events in one transaction, an idle batch
 * waiting at most {@code linger} for more), the events in flight per consumer (backpressure) and how long
 * an event taken by an instance that died waits before it is delivered again; whether the platform's legacy
 * event shapes are adapted to the canonical envelope ({@link EnvelopeAdapter}, on by default) and the legacy
 * type names added to its table.
 */
public record IngestSettings(String consumer, int batchSize, Duration linger, int maxAckPending, Duration ackWait,
        boolean adaptLegacy, Map<String, String> eventTypeMap, boolean priorityLanes) {
    public static final String DEFAULT_CONSUMER = "job-service";
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(1);
    public static final int DEFAULT_MAX_ACK_PENDING = 10_000;
    public static final Duration DEFAULT_ACK_WAIT = Duration.ofSeconds(30);
    /** The variable of the legacy type table, shared by every entry that adapts (the gateway reads it too). */
    public static final String EVENT_TYPE_MAP = EnvelopeAdapter.TYPE_MAP_VARIABLE;
    /**
     * Whether events routed to a tier with a latency target are also ingested by a durable consumer of their
     * own per domain ({@code <SPINE_CONSUMER>-priority-<domain>}, new events only), in small batches that never
     * wait behind a large background batch; the main consumer still sees every event (the idempotency key
     * keeps one job).
     */
    public static final String PRIORITY_LANES = "SPINE_INGEST_PRIORITY_LANES";
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add("SPINE_CONSUMER", DEFAULT_CONSUMER, "durable consumer shared by all job service instances")
            .add("SPINE_BATCH_SIZE", String.valueOf(DEFAULT_BATCH_SIZE), "most events materialised in one transaction")
            .add("SPINE_LINGER", DEFAULT_LINGER.toMillis() + "ms", "how long an idle batch waits for more events")
            .add("SPINE_MAX_ACK_PENDING", String.valueOf(DEFAULT_MAX_ACK_PENDING),
                    "events in flight per consumer (backpressure bound)")
            .add("SPINE_ACK_WAIT", DEFAULT_ACK_WAIT.toSeconds() + "s",
                    "how long an unacknowledged event waits before redelivery (an instance died)")
            .add("SPINE_INGEST_ADAPT_LEGACY", "true", "adapt legacy event shapes at ingest instead of rejecting them")
            .add(EVENT_TYPE_MAP, "", "legacy type names to add: old=domain.NounVerb,... (ingest and gateway)")
            // off until a quiet bench shows what it costs the events->jobs path (each lane's events reach two
            // consumers) beside what it buys the tiers under a background flood (bench mixed)
            .add(PRIORITY_LANES, "false",
                    "realtime/interactive events ingested by a consumer per domain, not behind background batches")
            .build();

    public IngestSettings {
        eventTypeMap = Map.copyOf(eventTypeMap);
    }

    /** The adapter these settings ask for, or null when adapting is off. */
    public EnvelopeAdapter adapter() {
        return EnvelopeAdapter.ifOn(adaptLegacy, eventTypeMap);
    }

    static IngestSettings from(SettingsReader r) {
        return new IngestSettings(r.text("SPINE_CONSUMER"), r.integer("SPINE_BATCH_SIZE", 1, 10_000),
                r.duration("SPINE_LINGER"), r.integer("SPINE_MAX_ACK_PENDING", 1, 1_000_000), r.duration("SPINE_ACK_WAIT"),
                r.bool("SPINE_INGEST_ADAPT_LEGACY"), EnvelopeAdapter.parseTypeMap(r.text(EVENT_TYPE_MAP), EVENT_TYPE_MAP),
                r.bool(PRIORITY_LANES));
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_CONSUMER", consumer);
        m.put("SPINE_BATCH_SIZE", String.valueOf(batchSize));
        m.put("SPINE_LINGER", linger.toMillis() + "ms");
        m.put("SPINE_MAX_ACK_PENDING", String.valueOf(maxAckPending));
        m.put("SPINE_ACK_WAIT", ackWait.toMillis() + "ms");
        m.put("SPINE_INGEST_ADAPT_LEGACY", String.valueOf(adaptLegacy));
        m.put(EVENT_TYPE_MAP, EnvelopeAdapter.formatTypeMap(eventTypeMap));
        m.put(PRIORITY_LANES, String.valueOf(priorityLanes));
        return m;
    }
}
