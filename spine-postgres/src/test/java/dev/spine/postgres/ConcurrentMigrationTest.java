package dev.spine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many processes starting at once on a fresh schema: each script runs once, no start fails. */
@ExtendWith(SpineServices.class)
class ConcurrentMigrationTest {
    private static final int STARTS = 6;

    @Test
    void severalPoolsMigratingOneFreshSchemaAtOnceApplyEachScriptOnce(TestDatabase db) throws Exception {
        migrateAtOnce(db);
    }

    @Test
    void severalPoolsMigratingASchemaSharedWithAnotherComponentApplyEachScriptOnce(TestDatabase db) throws Exception {
        // the schema is not empty, the component has no history yet: the case where Flyway's own baseline-on-migrate
        // lets a second process fail with "history table already exists, and is empty"
        SchemaMigrator.builder(db.dataSource()).component("gizmos").location("dev/spine/postgres/gizmos")
                .schema(db.schema()).build().migrate();
        migrateAtOnce(db);
    }

    private static void migrateAtOnce(TestDatabase db) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(STARTS);
        try {
            CyclicBarrier together = new CyclicBarrier(STARTS);
            List<Future<Integer>> applied = new ArrayList<>();
            for (int i = 0; i < STARTS; i++) {
                // a pool each, as separate processes would have; the barrier lines their first statements up
                SchemaMigrator migrator = SchemaMigrator.builder(db.newDataSource(2)).component("widgets")
                        .location(SchemaMigratorTest.WIDGETS).schema(db.schema()).build();
                applied.add(threads.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return migrator.migrate();
                }));
            }
            int total = 0;
            for (Future<Integer> f : applied) {
                total += f.get(60, TimeUnit.SECONDS); // rethrows any start that failed
            }

            assertEquals(2, total, "V1 and V2 applied once in all");
            assertEquals(2, db.queryLong("select count(*) from " + db.schema() + ".widgets_history where success and type = 'SQL'"));
            assertEquals(2, db.queryLong("select count(distinct version) from " + db.schema() + ".widgets_history where type = 'SQL'"));
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".widgets_history where type = 'BASELINE'"),
                    "one history, started once");
            db.execute("insert into " + db.schema() + ".widget (id, name) values (1, 'a')");
        } finally {
            threads.shutdownNow();
        }
    }
}
