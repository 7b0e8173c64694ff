package dev.spine.bench;

/** Where a benchmark runs: the PostgreSQL and NATS URLs, from SPINE_PG_URL / SPINE_NATS_URL or the defaults. */
record BenchEnv(String pgUrl, String natsUrl) {
    static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

    static BenchEnv fromEnvironment() {
        return new BenchEnv(CpuMeter.tagged(System.getenv().getOrDefault("SPINE_PG_URL", DEFAULT_PG_URL)),
                System.getenv().getOrDefault("SPINE_NATS_URL", DEFAULT_NATS_URL));
    }

    /** An integer from the environment (e.g. N, LAT_N), as the peers' scripts take them. */
    static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }
}
