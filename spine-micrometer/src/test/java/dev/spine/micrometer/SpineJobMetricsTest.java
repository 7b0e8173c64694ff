package dev.spine.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.JobType;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real queue's meters in a Micrometer registry: tagged by queue and type, timers with histograms. */
@ExtendWith(SpineServices.class)
class SpineJobMetricsTest {
    record Email(String to) {}

    static final JobType<Email> SEND_EMAIL = JobType.of("SendEmail", Email.class).queue("mail").maxAttempts(1);

    @Test
    void outcomesTimersAndQueueGaugesCarryQueueAndTypeTags(TestDatabase db) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SpineJobMetrics metrics = new SpineJobMetrics(registry);
        try (JobQueue jobs = JobQueue.builder(db.dataSource()).schema(db.schema())
                .listener(metrics)
                .handler(SEND_EMAIL, metrics.timed((Email email, dev.spine.jobs.Job job) -> {
                    if (email.to().isEmpty()) {
                        throw new IllegalArgumentException("no address");
                    }
                }))
                .createQueue("mail")
                .work("mail", 1)
                .statsInterval(Duration.ofMillis(100))
                .build()) {
            metrics.bind(jobs.metrics());
            jobs.start();
            jobs.enqueue(SEND_EMAIL.with(new Email("a@example.com")));
            jobs.enqueue(SEND_EMAIL.with(new Email("")));
            Tags tags = Tags.of("queue", "mail", "type", "SendEmail");
            Eventually.await("one completed and one dead", () ->
                    count(registry, "spine.jobs.completed", tags) == 1 && count(registry, "spine.jobs.dead_lettered", tags) == 1);
            assertEquals(1, count(registry, "spine.jobs.failed", tags));
            assertEquals(2, count(registry, "spine.jobs.started", tags));

            Timer run = registry.get("spine.jobs.run").tags(tags).timer();
            assertEquals(2, run.count());
            // a percentile histogram: buckets are published, not just count and sum
            String scrape = registry.scrape();
            assertTrue(scrape.contains("spine_jobs_run_seconds_bucket{"), scrape);
            assertTrue(scrape.contains("spine_jobs_wait_seconds_bucket{"), scrape);
            assertEquals(2, registry.get("spine.jobs.wait").tags(tags).timer().count());

            // queue-wide counter copied from the queue's own Dropwizard registry, which keeps its names
            assertEquals(2.0, registry.get("spine.jobs.enqueued").functionCounter().count());
            assertEquals(2, jobs.metrics().counter("spine.jobs.enqueued").getCount());
            Eventually.await("the queue gauges, tagged by queue", () ->
                    registry.find("spine.jobs.dead_letters").tags("queue", "mail").gauge() != null
                            && registry.get("spine.jobs.dead_letters").tags("queue", "mail").gauge().value() == 1.0);
            assertEquals(0.0, registry.get("spine.jobs.queue_depth").tags("queue", "mail").gauge().value());
        }
    }

    @Test
    void gaugeNamesLoseTheirQueueAndTypeToTags() {
        assertEquals("spine.jobs.queue_depth", SpineJobMetrics.gaugeName("spine.jobs.queue_depth.mail"));
        assertEquals(Tags.of("queue", "mail"), SpineJobMetrics.gaugeTags("spine.jobs.queue_depth.mail"));
        assertEquals("spine.jobs.unserved", SpineJobMetrics.gaugeName("spine.jobs.unserved.mail.Send.Email"));
        // queue names have no dot: everything after the queue is the type, dots included
        assertEquals(Tags.of("queue", "mail", "type", "Send.Email"),
                SpineJobMetrics.gaugeTags("spine.jobs.unserved.mail.Send.Email"));
        assertNull(SpineJobMetrics.gaugeTags("spine.jobs.something_else.mail"));
    }

    private static double count(MeterRegistry registry, String name, Tags tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }
}
