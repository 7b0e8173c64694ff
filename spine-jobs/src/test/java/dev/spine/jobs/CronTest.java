package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class CronTest {

    @Test
    void eachTickEnqueuesExactlyOneJobHoweverManyProcessesRunTheSchedule(TestDatabase db) {
        CronSchedule everySecond = CronSchedule.of("sync-connectors", "* * * * * *", "UTC",
                JobRequest.of("SyncConnectorDataJob", Map.of("scope", "all")).queue("background"));
        List<JobQueue> processes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                JobQueue p = JobQueue.builder(db.newDataSource(4)).schema(db.schema())
                        .schedule(everySecond).cronPollInterval(Duration.ofMillis(100)).build();
                processes.add(p);
                p.start();
            }
            String jobs = "select count(*) from " + db.schema() + ".job where type = 'SyncConnectorDataJob'";
            Eventually.await("three ticks", Duration.ofSeconds(30), () -> db.queryLong(jobs) >= 3);
            processes.forEach(JobQueue::close);
            long ticks = db.queryLong("select count(distinct idempotency_key) from " + db.schema() + ".job");
            assertEquals(ticks, db.queryLong(jobs), "one job per tick");
            assertTrue(db.queryLong("select count(*) from " + db.schema()
                    + ".job where idempotency_key not like 'cron:sync-connectors:%'") == 0);
        } finally {
            processes.forEach(JobQueue::close);
        }
    }
}
