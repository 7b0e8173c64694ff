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
     * How many versioned scripts ({@code V<n>__*.sql}) the folder holds above {@code version}, so a test of an
     * upgrade from an older schema does not have to change with every new script. The folder must be a
     * directory on the class path (as a module's {@code target/classes} is under Maven).
     */
    public int countAbove(int version) {
        java.net.URL url = MigrationScripts.class.getResource(location);
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("migration folder " + location + " is not a directory on the class path: " + url);
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(java.nio.file.Path.of(url.toURI()))) {
            return (int) files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).filter(v -> v > version).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
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
