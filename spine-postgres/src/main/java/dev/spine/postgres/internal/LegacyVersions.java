package dev.spine.postgres.internal;

import dev.spine.postgres.LegacyVersionTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads how far a pre-Flyway runner migrated a component: the version to baseline its Flyway history at. */
final class LegacyVersions {
    private LegacyVersions() {}

    /** The component's legacy version, 0 when the legacy table or its row is absent. */
    static int read(Connection c, String schema, String component, LegacyVersionTable table) throws SQLException {
        switch (table) {
            case NONE:
                return 0;
            case SCHEMA_VERSION:
                if (!Schemas.tableExists(c, schema, "schema_version")) {
                    return 0;
                }
                try (PreparedStatement p = c.prepareStatement(Sql.in(Sql.LEGACY_SCHEMA_VERSION, schema))) {
                    p.setString(1, component);
                    return single(p);
                }
            case SPINE_EVENTS_PG_VERSION:
                if (!Schemas.tableExists(c, schema, "spine_events_pg_version")) {
                    return 0;
                }
                try (PreparedStatement p = c.prepareStatement(Sql.in(Sql.LEGACY_SPINE_EVENTS_PG_VERSION, schema))) {
                    return single(p);
                }
            default:
                throw new IllegalArgumentException("unknown legacy version table " + table);
        }
    }

    private static int single(PreparedStatement p) throws SQLException {
        try (ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
