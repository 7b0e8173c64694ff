package dev.spine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SpineServices.class)
class SchemaMigratorTest {
    static final String WIDGETS = "dev/spine/postgres/widgets";

    static SchemaMigrator widgets(TestDatabase db) {
        return SchemaMigrator.builder(db.dataSource()).component("widgets").location(WIDGETS).schema(db.schema()).build();
    }

    @Test
    void aFreshSchemaGetsEveryScriptOnceAndAHistoryOfItsOwn(TestDatabase db) {
        assertEquals(2, widgets(db).migrate());
        assertEquals(0, widgets(db).migrate(), "a second start finds nothing to do");

        db.execute("insert into " + db.schema() + ".widget (id, name) values (1, 'a')");
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".widget where colour = 'grey'"));
        assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".widgets_history where success"
                + " and type = 'SQL'"));
    }

    @Test
    void aCurrentSchemaIsCheckedWithOneConnection(TestDatabase db) throws Exception {
        widgets(db).migrate();
        HikariDataSource one = db.newDataSource(1);
        String searchPath = searchPath(one);
        SchemaMigrator onOne = SchemaMigrator.builder(one).component("widgets").location(WIDGETS)
                .schema(db.schema()).build();

        assertEquals(0, onOne.migrate(), "Flyway's migrate would wait for a second connection forever");
        onOne.validate();

        // the connection goes back to the pool as it came: Flyway restores the search_path it changed
        assertEquals(searchPath, searchPath(one));
        try (Connection c = one.getConnection()) {
            assertTrue(c.getAutoCommit());
        }
    }

    private static String searchPath(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show search_path")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void componentsSharingASchemaEachKeepTheirOwnHistory(TestDatabase db) {
        widgets(db).migrate();
        SchemaMigrator gizmos = SchemaMigrator.builder(db.dataSource()).component("gizmos")
                .location("dev/spine/postgres/gizmos").schema(db.schema()).build();

        // the schema is not empty any more, yet gizmos has no history: it starts from nothing and runs its V1
        assertEquals(1, gizmos.migrate());

        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".gizmos_history where type = 'SQL'"));
        assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".widgets_history where type = 'SQL'"));
        assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".gizmo"));
    }

    @Test
    void withoutAutoMigrateAnUnmigratedSchemaFailsNamingThePendingScript(TestDatabase db) {
        SchemaMigrator validating = SchemaMigrator.builder(db.dataSource()).component("widgets").location(WIDGETS)
                .schema(db.schema()).autoMigrate(false).build();

        MigrationException e = assertThrows(MigrationException.class, validating::ensureCurrent);

        assertEquals(MigrationException.Code.PENDING_MIGRATION, e.code());
        assertEquals("V1__widgets.sql", e.migration());
        assertTrue(e.getMessage().contains("V1__widgets.sql") && e.getMessage().contains("autoMigrate is off"),
                e.getMessage());
        assertEquals(0, db.queryLong("select count(*) from pg_namespace where nspname = '" + db.schema() + "'"),
                "validating writes nothing, not even the schema");
    }

    @Test
    void withoutAutoMigrateAMigratedSchemaPasses(TestDatabase db) {
        widgets(db).migrate();

        SchemaMigrator.builder(db.dataSource()).component("widgets").location(WIDGETS).schema(db.schema())
                .autoMigrate(false).build().ensureCurrent();
    }

    @Test
    void withoutAutoMigrateANewScriptNotYetAppliedFailsNamingIt(TestDatabase db, @TempDir Path dir) throws IOException {
        Path folder = copyWidgets(dir);
        try (URLClassLoader loader = loader(dir)) {
            migrator(db, loader).migrate();
            Files.writeString(folder.resolve("V3__widget_weight.sql"),
                    "alter table ${schema}.widget add column weight integer;\n");

            MigrationException e = assertThrows(MigrationException.class,
                    () -> SchemaMigrator.builder(db.dataSource()).component("widgets").location("mig")
                            .schema(db.schema()).classLoader(loader).autoMigrate(false).build().ensureCurrent());

            assertEquals(MigrationException.Code.PENDING_MIGRATION, e.code());
            assertEquals("V3__widget_weight.sql", e.migration());
            assertTrue(e.getMessage().contains("V3__widget_weight.sql"), e.getMessage());
            assertEquals(1, migrator(db, loader).migrate(), "with autoMigrate it is applied");
        }
    }

    @Test
    void aScriptChangedAfterItWasAppliedFailsStartUpNamingTheFile(TestDatabase db, @TempDir Path dir) throws IOException {
        Path folder = copyWidgets(dir);
        try (URLClassLoader loader = loader(dir)) {
            migrator(db, loader).migrate();
            Files.writeString(folder.resolve("V2__widget_colour.sql"),
                    "alter table ${schema}.widget add column colour text not null default 'blue';\n");

            MigrationException onMigrate = assertThrows(MigrationException.class, () -> migrator(db, loader).migrate());
            MigrationException onValidate = assertThrows(MigrationException.class,
                    () -> migrator(db, loader).validate());

            for (MigrationException e : new MigrationException[] {onMigrate, onValidate}) {
                assertEquals(MigrationException.Code.CHANGED_MIGRATION, e.code());
                assertEquals("V2__widget_colour.sql", e.migration());
                assertTrue(e.getMessage().contains("V2__widget_colour.sql") && e.getMessage().contains("Never edit"),
                        e.getMessage());
            }
        }
    }

    @Test
    void thePrintedSqlHasEveryStatementOfEveryScriptForTheSchema(TestDatabase db) throws IOException {
        String sql = SchemaMigrator.builder(db.dataSource()).component("widgets").location(WIDGETS).schema("billing")
                .build().sql();

        for (String script : new String[] {"V1__widgets.sql", "V2__widget_colour.sql"}) {
            assertTrue(sql.contains("-- " + script + "\n"), sql);
            String text = new String(getClass().getResourceAsStream("/" + WIDGETS + "/" + script).readAllBytes());
            assertTrue(sql.contains(text.replace("${schema}", "billing")), "all of " + script + " in\n" + sql);
        }
        assertTrue(sql.indexOf("V1__widgets.sql") < sql.indexOf("V2__widget_colour.sql"), "in version order");
        assertTrue(sql.contains("create table billing.widget ("), sql);
        assertFalse(sql.contains("${schema}"), sql);
        assertEquals(0, db.queryLong("select count(*) from pg_namespace where nspname = 'billing'"),
                "printing touches no database");
    }

    @Test
    void thePrintedSqlIsWhatMigrateRuns(TestDatabase db) {
        String sql = SchemaMigrator.builder(db.dataSource()).component("widgets").location(WIDGETS).schema(db.schema())
                .build().sql();

        db.execute("create schema " + db.schema());
        db.execute(sql);
        db.execute("insert into " + db.schema() + ".widget (id, name) values (1, 'a')");
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".widget where colour = 'grey'"));
    }

    @Test
    void buildNamesTheFieldAtFault(TestDatabase db) {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.builder(db.dataSource())
                .component("widgets").location(WIDGETS).schema("Bad-Name").build()).getMessage().startsWith("schema"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.builder(db.dataSource())
                .component("Widgets").location(WIDGETS).schema("s").build()).getMessage().startsWith("component"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.builder(db.dataSource())
                .component("widgets").location("no/such/folder").schema("s").build()).getMessage()
                .startsWith("location"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SchemaMigrator.builder(null)
                .component("widgets").location(WIDGETS).schema("s").build()).getMessage().startsWith("dataSource"));
        assertNull(new MigrationException(MigrationException.Code.MIGRATION_FAILED, null, "m", null).migration());
    }

    private static SchemaMigrator migrator(TestDatabase db, ClassLoader loader) {
        return SchemaMigrator.builder(db.dataSource()).component("widgets").location("mig").schema(db.schema())
                .classLoader(loader).build();
    }

    /** The widgets scripts in a folder of their own, so a test can change them. */
    private Path copyWidgets(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mig"));
        for (String script : new String[] {"V1__widgets.sql", "V2__widget_colour.sql"}) {
            Files.write(folder.resolve(script), getClass().getResourceAsStream("/" + WIDGETS + "/" + script)
                    .readAllBytes());
        }
        return folder;
    }

    private static URLClassLoader loader(Path dir) throws IOException {
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }
}
