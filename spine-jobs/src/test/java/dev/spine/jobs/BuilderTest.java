package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code build()} takes a snapshot: the built queue never reads its builder again. */
@ExtendWith(SpineServices.class)
class BuilderTest {

    @Test
    void changingTheBuilderAfterBuildChangesNothingInTheBuiltQueue(TestDatabase db) {
        String elsewhere = db.schema() + "_later";
        JobQueueBuilder builder = JobQueue.builder(db.dataSource()).schema(db.schema());
        try (JobQueue q = builder.build()) {
            // each of these is read after construction (migrate, start, close), where the queue once read the builder
            builder.schema(elsewhere)
                    .createQueue("added-later")
                    .work("not-a-queue", 1)
                    .shutdownTimeout(Duration.ofMillis(1));
            q.migrate();
            assertEquals(0, db.queryLong("select count(*) from information_schema.schemata where schema_name = '"
                    + elsewhere + "'"), "migrated into the schema it was built with");
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".queue where name = 'background'"));
            assertTrue(q.stats().stream().noneMatch(s -> s.queue().equals("added-later")), "no queue added later");
            q.enqueue(JobRequest.of("T", Map.of()));
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".job"));
        }
    }
}
