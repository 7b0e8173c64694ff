package dev.spine.bench;

import dev.spine.contracts.ConfigException;
import dev.spine.events.NatsSettings;
import io.nats.client.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a benchmark runs: PostgreSQL from SPINE_PG_URL, NATS from the settings every entry point reads
 * ({@link NatsSettings}: SPINE_NATS_URL with its credentials and TLS). The bench makes, names and deletes
 * streams of its own, so a stream setting it would not honour (prefixes, replicas, domains) is refused,
 * naming the variable, rather than ignored.
 */
record BenchEnv(String pgUrl, NatsSettings nats) {
    static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    /** Set by the bench itself for each run's own streams (and removed after): the operator's cannot apply. */
    static final List<String> NOT_HONOURED = List.of(NatsSettings.STREAM_PREFIX, NatsSettings.SUBJECT_PREFIX,
            NatsSettings.REPLICAS, NatsSettings.DOMAINS, NatsSettings.DOMAINS_FILE);

    static BenchEnv fromEnvironment() {
        return from(System.getenv()::get);
    }

    static BenchEnv from(Function<String, String> env) {
        for (String name : NOT_HONOURED) {
            String v = env.apply(name);
            if (v != null && !v.isBlank()) {
                throw new ConfigException(name, "the bench makes streams of its own (one replica, default domains, "
                        + "its own prefixes) and deletes them after; unset it for ./spine bench");
            }
        }
        String pg = env.apply("SPINE_PG_URL");
        return new BenchEnv(CpuMeter.tagged(pg == null || pg.isBlank() ? DEFAULT_PG_URL : pg), NatsSettings.from(env));
    }

    String natsUrl() {
        return nats.url();
    }

    /** A connection with the configured servers, credentials and TLS. */
    Connection connectNats() {
        return nats.connections().connect("spine-bench");
    }

    /**
     * A job service's variables: the NATS connection settings of this environment, then any {@code SPINE_*} of the
     * bench's own environment (another configuration of the service under test without a code change, e.g.
     * {@code SPINE_INGEST_PRIORITY_LANES=true}), then {@code own}: the bench's schema, streams and consumer win.
     */
    Map<String, String> serviceVariables(Map<String, String> own) {
        Map<String, String> all = new LinkedHashMap<>(nats.connections().asVariables());
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("SPINE_")) {
                all.put(k, v);
            }
        });
        all.putAll(own);
        return all;
    }

    /** An integer from the environment (e.g. N, LAT_N), as the peers' scripts take them. */
    static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    /** A switch from the environment that is on unless set to {@code false} (e.g. MIXED_LANES). */
    static boolean onUnlessFalse(String name) {
        return !"false".equalsIgnoreCase(System.getenv(name));
    }
}
