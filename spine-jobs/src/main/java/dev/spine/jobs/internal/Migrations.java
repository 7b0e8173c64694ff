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
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations, applied on start in one transaction under an advisory lock, so that
 * many processes starting at once migrate exactly once. Scripts are {@code migrations/V<n>__*.sql}
 * resources, applied in order; {@code schema_version} records what was applied.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** The scripts in order; append, never edit a released one. */
    static final List<String> SCRIPTS = List.of("V1__jobs.sql");

    private Migrations() {}

    /** Brings {@code schema} to the newest version; returns the version it is at afterwards. */
    public static int migrate(DataSource dataSource, String schema) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int version = migrate(c, schema);
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("migrating schema " + schema + " failed", e);
        }
    }

    private static int migrate(Connection c, String schema) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, lockKey(schema));
            lock.execute();
        }
        try (Statement s = c.createStatement()) {
            s.execute("create schema if not exists " + schema);
            s.execute("create table if not exists " + schema + ".schema_version (version integer primary key, "
                    + "applied_at timestamptz not null default now())");
        }
        int current;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select coalesce(max(version), 0) from " + schema + ".schema_version")) {
            rs.next();
            current = rs.getInt(1);
        }
        for (int v = current + 1; v <= SCRIPTS.size(); v++) {
            String script = read(SCRIPTS.get(v - 1)).replace("{schema}", schema);
            try (Statement s = c.createStatement()) {
                s.execute(script);
            }
            try (PreparedStatement ps = c.prepareStatement("insert into " + schema
                    + ".schema_version (version) values (?)")) {
                ps.setInt(1, v);
                ps.execute();
            }
            LOG.info("spine-jobs schema {} migrated to version {}", schema, v);
        }
        return SCRIPTS.size();
    }

    /** A stable 64-bit key per schema (FNV-1a), so different schemas migrate independently. */
    static long lockKey(String schema) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : ("spine-jobs:" + schema).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static String read(String script) {
        try (InputStream in = Migrations.class.getResourceAsStream("/dev/spine/jobs/migrations/" + script)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the jar: " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + script, e);
        }
    }
}
