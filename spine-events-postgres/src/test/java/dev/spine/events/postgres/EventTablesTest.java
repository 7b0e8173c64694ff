package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.postgres.MigrationException;
import dev.spine.testkit.MigrationScripts;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The module's tables on spine-postgres' migrator: upgraded from the pre-Flyway runner, or validated only. */
@ExtendWith(SpineServices.class)
class EventTablesTest {
    private static final MigrationScripts MIGRATIONS = new MigrationScripts("/dev/spine/events/postgres/migrations");
    private static final String[] SCRIPTS = {"V1__outbox.sql", "V2__domain_events.sql", "V3__outbox_key_index.sql",
            "V4__outbox_dead_letters.sql"};

    @Test
    void aSchemaMadeByThePreFlywayRunnerIsUpgradedInPlaceKeepingItsRows(TestDatabase db) throws Exception {
        String s = db.schema();
        // what the old Migrator left at version 2: its version table and rows, V1 and V2 run, an unsent event
        db.execute("create schema " + s);
        db.execute("create table " + s + ".spine_events_pg_version (version integer not null)");
        for (int v = 1; v <= 2; v++) {
            db.execute(MIGRATIONS.forSchema(SCRIPTS[v - 1], s));
            db.execute("insert into " + s + ".spine_events_pg_version (version) values (" + v + ")");
        }
        UUID eventId = UUID.randomUUID();
        db.execute("insert into " + s + ".outbox (event_id, event_type, partition_key, payload) values ('" + eventId
                + "', 'data.EntityUpdated', 'k', '\\x7b7d')");

        Outbox outbox = Outbox.builder(db.dataSource()).schema(s).build();

        assertEquals(1, db.queryLong("select count(*) from " + s + ".outbox where event_id = '" + eventId + "'"));
        assertEquals(1, db.queryLong("select count(*) from " + s + ".spine_events_postgres_history"
                + " where type = 'BASELINE' and version = '2'"));
        assertEquals(1, db.queryLong("select count(*) from " + s + ".spine_events_postgres_history where type = 'SQL'"
                + " and version = '3' and success"), "only V3 ran");
        assertEquals(1, db.queryLong("select count(*) from pg_indexes where schemaname = '" + s
                + "' and indexname = 'outbox_unsent_key'"));
        try (Connection c = db.dataSource().getConnection()) {
            outbox.add(c, EventEnvelope.builder().eventType("data.EntityUpdated").source("test")
                    .data(JsonNodeFactory.instance.objectNode().put("key", "k")).build(), "k");
        }
        assertEquals(2, db.queryLong("select count(*) from " + s + ".outbox where partition_key = 'k'"));
    }

    @Test
    void withoutAutoMigrateAnUnmigratedSchemaFailsNamingTheFirstScript(TestDatabase db) {
        MigrationException e = assertThrows(MigrationException.class,
                () -> Outbox.builder(db.dataSource()).schema(db.schema()).autoMigrate(false).build());

        assertEquals(MigrationException.Code.PENDING_MIGRATION, e.code());
        assertEquals("V1__outbox.sql", e.migration());
    }

    @Test
    void withoutAutoMigrateAMigratedSchemaBuilds(TestDatabase db) {
        assertEquals(SCRIPTS.length, EventTables.schemaMigrator(db.dataSource(), db.schema()).migrate());

        Outbox.builder(db.dataSource()).schema(db.schema()).autoMigrate(false).build();
        PostgresEventBus.builder(db.dataSource()).schema(db.schema()).autoMigrate(false).build().close();
    }

    @Test
    void thePrintedSqlHasEveryScriptForTheSchema(TestDatabase db) throws IOException {
        String sql = EventTables.schemaMigrator(db.dataSource(), "events_prod").sql();

        MIGRATIONS.assertAllIn(sql, "events_prod", SCRIPTS);
    }
}
