package dev.spine.events.postgres;

import dev.spine.postgres.LegacyVersionTable;
import dev.spine.postgres.SchemaMigrator;
import javax.sql.DataSource;

/**
 * This module's tables (outbox, processing log, event history, the PostgreSQL event bus) as one migration
 * component of spine-postgres: history table {@code spine_events_postgres_history} in the schema, scripts in
 * {@code dev/spine/events/postgres/migrations}. Every builder of the module migrates through it on
 * {@code build()} (or only validates, with {@code autoMigrate(false)}); call it yourself to migrate in a deploy
 * step or to print the SQL. A schema made by the module's pre-Flyway runner ({@code spine_events_pg_version})
 * is baselined in place.
 */
public final class EventTables {
    /** The component name; it names the history table too. */
    public static final String COMPONENT = "spine-events-postgres";
    private static final String SCRIPTS = "dev/spine/events/postgres/migrations";

    private EventTables() {}

    /** The migrator of the module's tables in {@code schema}, with {@code autoMigrate} on. */
    public static SchemaMigrator schemaMigrator(DataSource dataSource, String schema) {
        return schemaMigrator(dataSource, schema, SchemaMigrator.DEFAULT_AUTO_MIGRATE);
    }

    static SchemaMigrator schemaMigrator(DataSource dataSource, String schema, boolean autoMigrate) {
        return SchemaMigrator.builder(dataSource).component(COMPONENT).location(SCRIPTS).schema(schema)
                .legacyVersionTable(LegacyVersionTable.SPINE_EVENTS_PG_VERSION).autoMigrate(autoMigrate)
                .classLoader(EventTables.class.getClassLoader()).build();
    }
}
