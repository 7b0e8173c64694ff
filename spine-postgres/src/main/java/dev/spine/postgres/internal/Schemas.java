package dev.spine.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Schema-level steps that come before Flyway: creating the schema once, asking whether a table is there. */
final class Schemas {
    private Schemas() {}

    /** Creates {@code schema} if absent, under a transaction-scoped lock, so concurrent starts do not collide. */
    static void create(Connection c, String schema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement(Sql.LOCK_SCHEMA_CREATION)) {
                lock.setString(1, schema);
                lock.execute();
            }
            try (PreparedStatement create = c.prepareStatement(Sql.in(Sql.CREATE_SCHEMA, schema))) {
                create.execute();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    static boolean tableExists(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(Sql.TABLE_EXISTS)) {
            p.setString(1, schema + "." + table);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
