package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command finds PostgreSQL and NATS: the {@code SPINE_*} variables (as for {@code spine serve}),
 * each overridable by an option. Prefer the variable for a URL with a password: options show in
 * {@code ps}.
 */
final class ConnectionOptions {
    @Option(names = "--nats-url", paramLabel = "URL", description = "NATS server (default: $SPINE_NATS_URL)")
    String natsUrl;

    @Option(names = "--pg-url", paramLabel = "JDBC_URL", description = "PostgreSQL JDBC URL (default: $SPINE_PG_URL)")
    String pgUrl;

    @Option(names = "--pg-schema", paramLabel = "SCHEMA", description = "schema of the job tables (default: $SPINE_PG_SCHEMA)")
    String schema;

    @Option(names = "--stream-prefix", paramLabel = "PREFIX", description = "prefix of stream names (default: $SPINE_STREAM_PREFIX)")
    String streamPrefix;

    @Option(names = "--subject-prefix", paramLabel = "PREFIX", description = "prefix of event subjects (default: $SPINE_SUBJECT_PREFIX)")
    String subjectPrefix;

    /** The environment's settings with this command line's overrides. */
    ServerConfig config() {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, "SPINE_NATS_URL", natsUrl);
        put(overrides, "SPINE_PG_URL", pgUrl);
        put(overrides, "SPINE_PG_SCHEMA", schema);
        put(overrides, "SPINE_STREAM_PREFIX", streamPrefix);
        put(overrides, "SPINE_SUBJECT_PREFIX", subjectPrefix);
        ServerConfig env = ServerConfig.fromEnvironment();
        return overrides.isEmpty() ? env : env.with(overrides);
    }

    private static void put(Map<String, String> m, String name, String value) {
        if (value != null) {
            m.put(name, value);
        }
    }
}
