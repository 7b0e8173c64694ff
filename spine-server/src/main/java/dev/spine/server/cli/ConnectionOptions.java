package dev.spine.server.cli;

import dev.spine.events.NatsConnections;
import dev.spine.server.ServerConfig;
import dev.spine.events.NatsSettings;
import dev.spine.service.PostgresSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Where a command finds PostgreSQL and NATS: the {@code SPINE_*} variables (as for {@code spine serve}),
 * each overridable by an option. Prefer the variable for a URL with a password: options show in
 * {@code ps}. A command that reads or changes an operator's data never falls back to a local default by
 * itself: without {@code SPINE_PG_URL} / {@code SPINE_NATS_URL} (or {@code --pg} / {@code --nats}) it stops
 * naming the variable, unless {@code --dev} asks for the local defaults (127.0.0.1). A packaged CLI run on
 * an operator's machine would otherwise show an empty queue of some local database.
 */
final class ConnectionOptions {
    static final String PG_URL = "SPINE_PG_URL";

    @Option(names = {"--nats", "--nats-url"}, paramLabel = "URL", description = "NATS server (default: $SPINE_NATS_URL)")
    String natsUrl;

    @Option(names = {"--pg", "--pg-url"}, paramLabel = "JDBC_URL", description = "PostgreSQL JDBC URL (default: $SPINE_PG_URL)")
    String pgUrl;

    @Option(names = "--pg-schema", paramLabel = "SCHEMA", description = "schema of the job tables (default: $SPINE_PG_SCHEMA)")
    String schema;

    @Option(names = "--stream-prefix", paramLabel = "PREFIX", description = "prefix of stream names (default: $SPINE_STREAM_PREFIX)")
    String streamPrefix;

    @Option(names = "--subject-prefix", paramLabel = "PREFIX", description = "prefix of event subjects (default: $SPINE_SUBJECT_PREFIX)")
    String subjectPrefix;

    @Option(names = "--dev", description = "without SPINE_PG_URL / SPINE_NATS_URL, use the local defaults ("
            + PostgresSettings.DEFAULT_URL + ", " + NatsSettings.DEFAULT_URL + ")")
    boolean dev;

    /** The environment's settings with this command line's overrides. */
    ServerConfig config() {
        Map<String, String> overrides = overrides();
        ServerConfig env = ServerConfig.fromEnvironment();
        return overrides.isEmpty() ? env : env.with(overrides);
    }

    /** What the connections were given: {@code env} (the process environment) with this command line's overrides. */
    Given given(Function<String, String> env) {
        Map<String, String> overrides = overrides();
        Function<String, String> lookup = name -> overrides.containsKey(name) ? overrides.get(name) : env.apply(name);
        return new Given(dev || isSet(lookup.apply(PG_URL)), dev || isSet(lookup.apply(NatsConnections.URL)));
    }

    /** Whether the PostgreSQL and NATS URLs were given (or {@code --dev} makes the defaults acceptable). */
    record Given(boolean postgres, boolean nats) {}

    private Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, NatsConnections.URL, natsUrl);
        put(overrides, PG_URL, pgUrl);
        put(overrides, "SPINE_PG_SCHEMA", schema);
        put(overrides, "SPINE_STREAM_PREFIX", streamPrefix);
        put(overrides, "SPINE_SUBJECT_PREFIX", subjectPrefix);
        return overrides;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    private static void put(Map<String, String> m, String name, String value) {
        if (value != null) {
            m.put(name, value);
        }
    }
}
