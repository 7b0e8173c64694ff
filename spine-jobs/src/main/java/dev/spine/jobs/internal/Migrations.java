package dev.spine.jobs.internal;

import dev.spine.jobs.JobStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations, applied in one transaction under an advisory lock, so that many processes
 * starting at once migrate exactly once. Each component (spine-jobs, the job service, ...) has its own
 * ordered list of scripts and its own rows in {@code schema_version}; {@code {schema}} in a script is
 * replaced by the (already validated) schema name.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** spine-jobs' own scripts, in order; append, never edit a released one. */
    public static final List<String> JOBS_SCRIPTS = List.of("/dev/spine/jobs/migrations/V1__jobs.sql",
            "/dev/spine/jobs/migrations/V2__payload_json.sql",
            "/dev/spine/jobs/migrations/V3__drop_hot_correlation_index.sql");
    public static final String JOBS_COMPONENT = "spine-jobs";

    private Migrations() {}

    /** Brings {@code component} in {@code schema} to its newest version; returns that version. */
    public static int migrate(DataSource dataSource, String schema, String component, List<String> scripts,
            Function<String, InputStream> resources) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int version = migrate(c, schema, component, scripts, resources);
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("migrating " + component + " in schema " + schema + " failed", e);
        }
    }

    private static int migrate(Connection c, String schema, String component, List<String> scripts,
            Function<String, InputStream> resources) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, lockKey(schema));
            lock.execute();
        }
        try (Statement s = c.createStatement()) {
            s.execute("create schema if not exists " + schema);
            s.execute("create table if not exists " + schema + ".schema_version (component text not null, "
                    + "version integer not null, applied_at timestamptz not null default now(), "
                    + "primary key (component, version))");
        }
        int current;
        try (PreparedStatement ps = c.prepareStatement("select coalesce(max(version), 0) from " + schema
                + ".schema_version where component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                current = rs.getInt(1);
            }
        }
        for (int v = current + 1; v <= scripts.size(); v++) {
            String script = read(resources, scripts.get(v - 1)).replace("{schema}", schema);
            try (Statement s = c.createStatement()) {
                s.execute(script);
            }
            try (PreparedStatement ps = c.prepareStatement("insert into " + schema
                    + ".schema_version (component, version) values (?, ?)")) {
                ps.setString(1, component);
                ps.setInt(2, v);
                ps.execute();
            }
            LOG.info("{} schema {} migrated to version {}", component, schema, v);
        }
        return scripts.size();
    }

    /** One lock per schema (FNV-1a of its name): components of one schema migrate one after another. */
    static long lockKey(String schema) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : ("spine:" + schema).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static String read(Function<String, InputStream> resources, String script) {
        try (InputStream in = resources.apply(script)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the jar: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }
}
