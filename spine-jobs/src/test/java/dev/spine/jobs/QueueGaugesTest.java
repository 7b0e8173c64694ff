package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The queue gauges are there as soon as start() returns, read once then, not after the first refresh. */
@ExtendWith(SpineServices.class)
class QueueGaugesTest {

    @Test
    void queueGaugesExistWhenStartReturns(TestDatabase db) {
        MetricRegistry metrics = new MetricRegistry();
        try (JobQueue queue = JobQueue.builder(db.dataSource()).schema(db.schema()).metrics(metrics)
                .statsInterval(Duration.ofHours(1)).build()) {
            queue.start();
            assertTrue(queue.stats().size() >= 3, "the default queues");
            for (QueueStats stats : queue.stats()) {
                String q = stats.queue();
                assertTrue(metrics.getGauges().containsKey("spine.jobs.queue_depth." + q), metrics.getGauges().keySet().toString());
                assertEquals(0L, metrics.getGauges().get("spine.jobs.dead_letters." + q).getValue());
            }
        }
    }
}
