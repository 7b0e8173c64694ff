package dev.spine.events.postgres.internal;

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

/**
 * Creates and upgrades this module's tables in one schema: versioned scripts applied in order, in one
 * transaction, under a transaction-scoped advisory lock per schema, so many processes starting at once
 * migrate it once. Scripts are only ever appended.
 */
public final class Migrator {
    /** The scripts in order; script n brings the schema to version n. */
    private static final List<String> SCRIPTS = List.of("/dev/spine/events/postgres/V1__outbox.sql",
            "/dev/spine/events/postgres/V2__domain_events.sql",
            "/dev/spine/events/postgres/V3__outbox_key_index.sql");
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('spine-events-postgres'), hashtext(?))";

    private Migrator() {}

    /** Migrates {@code sql.schema}; returns the version it is at. */
    public static int migrate(DataSource dataSource, Sql sql) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int version = migrate(c, sql.schema);
                c.commit();
                return version;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate schema " + sql.schema + " of spine-events-postgres", e);
        }
    }

    private static int migrate(Connection c, String schema) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement(LOCK)) {
            lock.setString(1, schema);
            lock.execute();
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            s.execute(Sql.CREATE_VERSION_TABLE.replace("{schema}", schema));
        }
        int current;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Sql.READ_VERSION.replace("{schema}", schema))) {
            rs.next();
            current = rs.getInt(1);
        }
        for (int v = current + 1; v <= SCRIPTS.size(); v++) {
            try (Statement s = c.createStatement()) {
                s.execute(script(SCRIPTS.get(v - 1)).replace("{schema}", schema));
            }
            try (PreparedStatement p = c.prepareStatement(Sql.WRITE_VERSION.replace("{schema}", schema))) {
                p.setInt(1, v);
                p.executeUpdate();
            }
        }
        return SCRIPTS.size();
    }

    private static String script(String resource) {
        try (InputStream in = Migrator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("migration " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + resource, e);
        }
    }
}
