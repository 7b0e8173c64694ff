package dev.spine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spine.testkit.MigrationScripts;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A component of the job service's kind (its own rows in {@code schema_version}) in a schema made by the
 * pre-Flyway runner: kept in place, baselined at its recorded version, later scripts applied.
 */
@ExtendWith(SpineServices.class)
class LegacyBaselineTest {
    @Test
    void aSchemaMigratedByThePreFlywayRunnerIsBaselinedAndKeepsItsRows(TestDatabase db) throws IOException {
        String s = db.schema();
        // exactly what the old runner left: its version table, V1 applied, a row for another component too
        MigrationScripts.createPreFlywaySchema(db);
        db.execute(script("V1__widgets.sql").replace("${schema}", s));
        db.execute("insert into " + s + ".schema_version (component, version) values ('widgets', 1), ('other', 7)");
        db.execute("insert into " + s + ".widget (id, name) values (1, 'kept')");

        SchemaMigrator migrator = SchemaMigrator.builder(db.dataSource()).component("widgets")
                .location(SchemaMigratorTest.WIDGETS).schema(s).legacyVersionTable(LegacyVersionTable.SCHEMA_VERSION)
                .build();
        assertEquals(1, migrator.migrate(), "only V2 runs: V1 would fail on the existing table");

        assertEquals(1, db.queryLong("select count(*) from " + s + ".widget where name = 'kept' and colour = 'grey'"));
        assertEquals(1, db.queryLong("select count(*) from " + s + ".widgets_history where type = 'BASELINE'"
                + " and version = '1'"));
        assertEquals(1, db.queryLong("select count(*) from " + s + ".widgets_history where type = 'SQL'"
                + " and version = '2' and success"));
        assertEquals(0, migrator.migrate(), "the next start finds the history and ignores the legacy table");
        migrator.validate();
    }

    @Test
    void aComponentTheOldRunnerNeverMigratedRunsAllItsScripts(TestDatabase db) {
        String s = db.schema();
        MigrationScripts.createPreFlywaySchema(db);
        db.execute("insert into " + s + ".schema_version (component, version) values ('other', 3)");

        assertEquals(2, SchemaMigrator.builder(db.dataSource()).component("widgets")
                .location(SchemaMigratorTest.WIDGETS).schema(s).legacyVersionTable(LegacyVersionTable.SCHEMA_VERSION)
                .build().migrate());
    }

    private String script(String name) throws IOException {
        return new String(getClass().getResourceAsStream("/" + SchemaMigratorTest.WIDGETS + "/" + name).readAllBytes());
    }
}
