package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.postgres.MigrationException;
import dev.spine.testkit.MigrationScripts;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The queue's tables on spine-postgres' migrator: fresh, upgraded from the pre-Flyway runner, or validated only. */
@ExtendWith(SpineServices.class)
class SchemaMigrationTest {
    private static final MigrationScripts MIGRATIONS = new MigrationScripts("/dev/spine/jobs/migrations");
    private static final String[] SCRIPTS = {"V1__jobs.sql", "V2__payload_json.sql", "V3__drop_hot_correlation_index.sql",
            "V4__worker_registry_and_type_fetch.sql", "V5__schedules.sql"};

    @Test
    void aSchemaMadeByThePreFlywayRunnerIsUpgradedInPlaceKeepingItsJobs(TestDatabase db) throws IOException {
        String s = db.schema();
        // what the old runner left at version 2: its version table and rows, V1 and V2 run, a waiting job
        MigrationScripts.createPreFlywaySchema(db);
        for (int v = 1; v <= 2; v++) {
            db.execute(MIGRATIONS.forSchema(SCRIPTS[v - 1], s));
            db.execute("insert into " + s + ".schema_version (component, version) values ('spine-jobs', " + v + ")");
        }
        UUID id = UUID.randomUUID();
        db.execute("insert into " + s + ".job (id, queue, type, run_at, max_attempts, backoff_ms, backoff_max_ms, "
                + "timeout_ms, payload, correlation_id, created_at) values ('" + id + "', 'background', 'Kept', now(), 3,"
                + " 1000, 60000, 60000, '{\"n\":1}', 'c-1', now())");
        List<String> ran = new ArrayList<>();

        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(s)
                .handler("Kept", job -> ran.add(job.id() + " " + job.payloadJson())).build()) {
            q.migrate();

            assertEquals(1, db.queryLong("select count(*) from " + s + ".spine_jobs_history where type = 'BASELINE'"
                    + " and version = '2'"));
            assertEquals(MIGRATIONS.countAbove(2), db.queryLong("select count(*) from " + s
                    + ".spine_jobs_history where type = 'SQL'"), "only the scripts after V2 ran");
            assertEquals(0, db.queryLong("select count(*) from pg_indexes where schemaname = '" + s
                    + "' and indexname = 'job_correlation'"), "V3 dropped the index");
            assertEquals(1, q.runOnce("background", 10));
            assertEquals(List.of(id + " {\"n\":1}"), ran, "the job from before the upgrade ran");
        }
    }

    @Test
    void withoutAutoMigrateAnUnmigratedSchemaFailsNamingTheFirstScript(TestDatabase db) {
        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).autoMigrate(false).build()) {
            MigrationException e = assertThrows(MigrationException.class, q::start);

            assertEquals(MigrationException.Code.PENDING_MIGRATION, e.code());
            assertEquals("V1__jobs.sql", e.migration());
            assertTrue(e.getMessage().contains("V1__jobs.sql"), e.getMessage());
        }
    }

    @Test
    void withoutAutoMigrateAMigratedSchemaStarts(TestDatabase db) {
        assertEquals(MIGRATIONS.countAbove(0), JobQueue.schemaMigrator(db.dataSource(), db.schema()).migrate());

        try (JobQueue q = JobQueue.builder(db.dataSource()).schema(db.schema()).autoMigrate(false).build()) {
            q.start();
            UUID id = q.enqueue(JobRequest.of("T", Map.of()));
            assertEquals("available", q.find(id).orElseThrow().state());
        }
    }

    @Test
    void thePrintedSqlHasEveryScriptForTheSchema(TestDatabase db) throws IOException {
        String sql = JobQueue.schemaMigrator(db.dataSource(), "jobs_prod").sql();

        MIGRATIONS.assertAllIn(sql, "jobs_prod", SCRIPTS);
    }
}
