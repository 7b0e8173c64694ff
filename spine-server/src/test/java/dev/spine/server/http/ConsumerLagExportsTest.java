package dev.spine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.spine.events.ConsumerStats;
import dev.spine.service.JobService;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsumerLagExportsTest {

    private static String scrape(MetricRegistry dropwizard) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new QueueLabelledExports(dropwizard));
        registry.register(new ConsumerLagExports(dropwizard));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theConsumersCountsBecomeTwoFamiliesWithStreamAndConsumerLabels() throws IOException {
        MetricRegistry dropwizard = new MetricRegistry();
        dropwizard.gauge(JobService.CONSUMER_LAG_GAUGE + "job-service",
                () -> (Gauge<ConsumerStats>) () -> new ConsumerStats("platform-events", "job-service", 12_000, 500));
        dropwizard.counter("spine.ingest.events").inc(3);
        String text = scrape(dropwizard);

        assertTrue(text.contains(
                "\nspine_events_consumer_pending{consumer=\"job-service\",stream=\"platform-events\"} 12000.0\n"), text);
        assertTrue(text.contains(
                "\nspine_events_consumer_unacknowledged{consumer=\"job-service\",stream=\"platform-events\"} 500.0\n"),
                text);
        assertFalse(text.contains("spine_events_consumer_job"), "not also through the plain bridge: " + text);
        assertTrue(text.contains("\nspine_ingest_events_total 3.0\n"), text);
    }

    @Test
    void aBrokerThatCannotBeReadLeavesTheFamiliesOutNotTheScrape() throws IOException {
        MetricRegistry dropwizard = new MetricRegistry();
        dropwizard.gauge(JobService.CONSUMER_LAG_GAUGE + "job-service", () -> (Gauge<ConsumerStats>) () -> {
            throw new IllegalStateException("broker down");
        });
        dropwizard.counter("spine.ingest.events").inc();
        String text = scrape(dropwizard);

        assertFalse(text.contains("spine_events_consumer_pending"), text);
        assertTrue(text.contains("\nspine_ingest_events_total 1.0\n"), text);
    }

    @Test
    void aDurableNotCreatedYetIsNoSeries() {
        MetricRegistry dropwizard = new MetricRegistry();
        dropwizard.gauge(JobService.CONSUMER_LAG_GAUGE + "job-service", () -> (Gauge<ConsumerStats>) () -> null);
        assertEquals(0, new ConsumerLagExports(dropwizard).collect().size());
    }
}
