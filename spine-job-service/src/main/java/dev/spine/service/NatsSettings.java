package dev.spine.service;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import dev.spine.events.NatsConnections;
import dev.spine.events.StreamTopology;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the engine's events are when it runs on NATS JetStream (its default bus): the NATS servers with their authentication and TLS
 * ({@link NatsConnections}: {@code SPINE_NATS_URL} and {@code SPINE_NATS_*}), the stream and subject prefixes
 * of shared clusters and tests, and the replicas of the streams it provisions.
 */
public record NatsSettings(NatsConnections connections, String streamPrefix, String subjectPrefix, int replicas) {
    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    public static final int DEFAULT_REPLICAS = 1;
    public static final Map<String, String[]> VARIABLES = variables();

    private static Map<String, String[]> variables() {
        VariableTable t = new VariableTable()
                .add(NatsConnections.URL, DEFAULT_URL, "NATS server(s), comma-separated")
                .add("SPINE_STREAM_PREFIX", "", "prefix of stream names (shared clusters, tests)")
                .add("SPINE_SUBJECT_PREFIX", "", "prefix of event subjects, e.g. events.")
                .add("SPINE_STREAM_REPLICAS", String.valueOf(DEFAULT_REPLICAS),
                        "replicas of the streams the service provisions (3 in a cluster)");
        // authentication and TLS (empty: none); secrets are never logged nor shown by toString()
        NatsConnections.VARIABLES.forEach((name, meaning) -> t.add(name, "", meaning));
        return t.build();
    }

    static NatsSettings from(SettingsReader r, Function<String, String> env) {
        return new NatsSettings(connections(env), r.text("SPINE_STREAM_PREFIX"), r.text("SPINE_SUBJECT_PREFIX"),
                r.integer("SPINE_STREAM_REPLICAS", 1, 5));
    }

    /** SPINE_NATS_URL with the SPINE_NATS_* variables; a bad one names its variable. */
    private static NatsConnections connections(Function<String, String> env) {
        try {
            return NatsConnections.fromEnvironment(env);
        } catch (NatsConnections.InvalidSetting e) {
            throw new ConfigException(e.setting(), e.getMessage().substring(e.setting().length() + 2));
        }
    }

    /** The servers, as {@code SPINE_NATS_URL} names them. */
    public String url() {
        return connections.servers();
    }

    /** The streams these settings name: prefixes and replicas. */
    public StreamTopology topology() {
        return StreamTopology.builder().streamNamePrefix(streamPrefix).subjectPrefix(subjectPrefix)
                .replicas(replicas).build();
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>(connections.asVariables());
        m.put("SPINE_STREAM_PREFIX", streamPrefix);
        m.put("SPINE_SUBJECT_PREFIX", subjectPrefix);
        m.put("SPINE_STREAM_REPLICAS", String.valueOf(replicas));
        return m;
    }
}
