package dev.spine.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A component's versioned SQL scripts on the class path ({@code ${schema}} placeholders), for tests of its
 * migrations: run a script as an older runner did, or check that printed SQL holds every script.
 */
public final class MigrationScripts {
    private final String location;

    /** The scripts under {@code location}, a class-path folder such as {@code /dev/spine/jobs/migrations}. */
    public MigrationScripts(String location) {
        this.location = location.endsWith("/") ? location : location + "/";
    }

    /** Script {@code name} with {@code ${schema}} replaced by {@code schema}. */
    public String forSchema(String name, String schema) {
        try (InputStream in = MigrationScripts.class.getResourceAsStream(location + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no migration script " + location + name + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates {@code db}'s schema with the version table the job service's pre-Flyway runner kept
     * ({@code schema_version}: a row per component and version applied), empty.
     */
    public static void createPreFlywaySchema(TestDatabase db) {
        db.execute("create schema " + db.schema());
        db.execute("create table " + db.schema() + ".schema_version (component text not null, version integer not null, "
                + "applied_at timestamptz not null default now(), primary key (component, version))");
    }

    /** Asserts that {@code sql} (a migrator's printed SQL for {@code schema}) holds each script whole. */
    public void assertAllIn(String sql, String schema, String... names) {
        for (String name : names) {
            assertTrue(sql.contains(forSchema(name, schema)), name + " in\n" + sql);
        }
    }
}
