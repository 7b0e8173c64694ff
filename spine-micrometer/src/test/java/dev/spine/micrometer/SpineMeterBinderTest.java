package dev.spine.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real job queue's metrics seen through Micrometer: names, tags, counts, quantiles, meters that come later. */
@ExtendWith(SpineServices.class)
class SpineMeterBinderTest {

    @Test
    void aJobQueuesMetersAppearInMicrometerWithTheQueueAsATag(TestDatabase db) {
        MetricRegistry spine = new MetricRegistry();
        SimpleMeterRegistry micrometer = new SimpleMeterRegistry();
        AtomicInteger ran = new AtomicInteger();
        try (JobQueue jobs = JobQueue.builder(db.dataSource()).schema(db.schema()).metrics(spine)
                .statsInterval(Duration.ofMillis(200)).handler("SendEmail", job -> ran.incrementAndGet())
                .work("interactive", 2).build();
                SpineMeterBinder binder = new SpineMeterBinder(spine)) {
            binder.bindTo(micrometer);
            jobs.start();
            for (int i = 0; i < 5; i++) {
                jobs.enqueue(JobRequest.of("SendEmail", Map.of("n", i)).queue("interactive"));
            }
            jobs.enqueue(JobRequest.of("NobodyServes", Map.of()).queue("background"));
            Eventually.await("five jobs ran", () -> ran.get() == 5);

            Eventually.await("completed counted", () -> micrometer.find("spine.jobs.completed").functionCounter() != null
                    && micrometer.get("spine.jobs.completed").functionCounter().count() == 5);
            Eventually.await("the unserved type, a meter added after binding, with queue and type tags",
                    Duration.ofSeconds(30), () -> micrometer.find("spine.jobs.unserved")
                            .tags("queue", "background", "type", "NobodyServes").gauge() != null
                            && micrometer.get("spine.jobs.unserved").tags("queue", "background", "type", "NobodyServes")
                                    .gauge().value() == 1);
            Eventually.await("the background depth, as a queue-tagged gauge", Duration.ofSeconds(30),
                    () -> micrometer.get("spine.jobs.queue_depth").tag("queue", "background").gauge().value() == 1);
            assertEquals(5, micrometer.get("spine.jobs.run.count").tag("queue", "interactive").functionCounter().count());
            double p99 = micrometer.get("spine.jobs.run.quantile").tags(Tags.of("queue", "interactive", "quantile", "0.99"))
                    .gauge().value();
            assertTrue(p99 >= 0 && p99 < 30, "run time p99 in seconds: " + p99);
            assertEquals("seconds", micrometer.get("spine.jobs.run.quantile").tag("quantile", "0.5").gauge().getId()
                    .getBaseUnit());
            assertTrue(micrometer.find("spine.jobs.queue_depth.background").meters().isEmpty(),
                    "the queue is a tag, not part of the name");
        }
    }

    @Test
    void closingRemovesTheMetersAndARemovedSpineMetricGoesToo() {
        MetricRegistry spine = new MetricRegistry();
        SimpleMeterRegistry micrometer = new SimpleMeterRegistry();
        spine.counter("spine.jobs.enqueued").inc(3);
        SpineMeterBinder binder = new SpineMeterBinder(spine);
        binder.bindTo(micrometer);
        assertEquals(3, micrometer.get("spine.jobs.enqueued").functionCounter().count());
        spine.counter("spine.http.auth_failures.read").inc();
        assertEquals(1, micrometer.get("spine.http.auth_failures").tag("realm", "read").functionCounter().count());
        spine.remove("spine.http.auth_failures.read");
        assertNull(micrometer.find("spine.http.auth_failures").functionCounter());
        binder.close();
        assertTrue(micrometer.getMeters().isEmpty(), "" + micrometer.getMeters());
    }

    @Test
    void namesKeepTheirLabelsAsTags() {
        assertEquals(new MeterName("spine.jobs.unserved", Tags.of("queue", "realtime", "type", "rules.v2.Run")),
                MeterName.of("spine.jobs.unserved.realtime.rules.v2.Run"));
        assertEquals(new MeterName("spine.jobs.dead", Tags.of("queue", "background")),
                MeterName.of("spine.jobs.dead_letters.background"));
        assertEquals(new MeterName("spine.events.uncaptured", Tags.of("subject_prefix", "widget.")),
                MeterName.of("spine.events.uncaptured.widget"));
        assertEquals(new MeterName("spine.ingest.events", Tags.empty()), MeterName.of("spine.ingest.events"));
        assertNull(MeterName.of("spine.events.consumer.job-service"), "a record, not a number");
    }
}
