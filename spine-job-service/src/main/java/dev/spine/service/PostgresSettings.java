package dev.spine.service;

import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the engine keeps its jobs: the PostgreSQL JDBC URL ({@code SPINE_PG_URL}), the connections of this
 * process ({@code SPINE_PG_POOL_SIZE}) and the schema of the job tables ({@code SPINE_PG_SCHEMA}, migrated
 * on start). The defaults run against a developer machine's local PostgreSQL.
 */
public record PostgresSettings(String url, int poolSize, String schema) {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    public static final int DEFAULT_POOL_SIZE = 24;
    public static final String DEFAULT_SCHEMA = "spine_jobs";
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add("SPINE_PG_URL", DEFAULT_URL, "PostgreSQL JDBC URL")
            .add("SPINE_PG_POOL_SIZE", String.valueOf(DEFAULT_POOL_SIZE), "PostgreSQL connections of this process")
            .add("SPINE_PG_SCHEMA", DEFAULT_SCHEMA, "schema of the job tables (migrated on start)")
            .build();

    static PostgresSettings from(SettingsReader r) {
        return new PostgresSettings(r.text("SPINE_PG_URL"), r.integer("SPINE_PG_POOL_SIZE", 4, 500),
                r.text("SPINE_PG_SCHEMA"));
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_PG_URL", url);
        m.put("SPINE_PG_POOL_SIZE", String.valueOf(poolSize));
        m.put("SPINE_PG_SCHEMA", schema);
        return m;
    }

    /** Never shows a password the URL may carry. */
    @Override
    public String toString() {
        return "PostgresSettings[url=" + url.replaceAll("password=[^&]*", "password=***") + ", poolSize=" + poolSize
                + ", schema=" + schema + "]";
    }
}
