package dev.spine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QueueLabelledExportsTest {

    @Test
    void perQueueMetricsBecomeOneFamilyWithAQueueLabel() throws IOException {
        MetricRegistry dropwizard = new MetricRegistry();
        dropwizard.counter("spine.jobs.enqueued").inc(7);
        dropwizard.counter("spine.jobs.dead_lettered").inc(3);
        dropwizard.gauge("spine.jobs.queue_depth.background", () -> (Gauge<Long>) () -> 5L);
        dropwizard.gauge("spine.jobs.queue_depth.my-q_1", () -> (Gauge<Long>) () -> 2L);
        dropwizard.gauge("spine.jobs.dead_letters.background", () -> (Gauge<Long>) () -> 1L);
        dropwizard.counter("spine.http.auth_failures.read").inc(4);
        dropwizard.counter("spine.http.auth_failures.admin").inc(1);
        dropwizard.timer("spine.jobs.wait.realtime").update(250, TimeUnit.MILLISECONDS);
        dropwizard.timer("spine.jobs.wait.background").update(2, TimeUnit.SECONDS);
        dropwizard.gauge("spine.broken", () -> (Gauge<Long>) () -> {
            throw new IllegalStateException("a gauge that throws");
        });
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new QueueLabelledExports(dropwizard));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);

        assertTrue(text.contains("\nspine_jobs_enqueued_total 7.0\n"), text);
        assertTrue(text.contains("\nspine_jobs_queue_depth{queue=\"background\"} 5.0\n"), text);
        assertTrue(text.contains("\nspine_jobs_queue_depth{queue=\"my-q_1\"} 2.0\n"), text);
        assertTrue(text.contains("\nspine_jobs_dead{queue=\"background\"} 1.0\n"), text);
        assertTrue(text.contains("# TYPE spine_jobs_dead gauge"), text);
        assertTrue(text.contains("\nspine_jobs_dead_lettered_total 3.0\n"), text);
        assertTrue(text.contains("spine_jobs_wait_seconds{queue=\"realtime\",quantile=\"0.5\"} 0.25"), text);
        assertTrue(text.contains("spine_jobs_wait_seconds_count{queue=\"background\"} 1"), text);
        assertEquals(1, text.split("# TYPE spine_jobs_queue_depth gauge", -1).length - 1, text);
        assertEquals(1, text.split("# TYPE spine_jobs_wait_seconds summary", -1).length - 1, text);
        assertTrue(text.contains("\nspine_http_auth_failures_total{realm=\"read\"} 4.0\n"), text);
        assertTrue(text.contains("\nspine_http_auth_failures_total{realm=\"admin\"} 1.0\n"), text);
        assertEquals(1, text.split("# TYPE spine_http_auth_failures_total counter", -1).length - 1, text);
        assertTrue(!text.contains("spine_broken"), "a gauge that throws is left out, the rest is scraped");
    }

    @Test
    void onlyTheKnownFamiliesCarryAQueue() {
        assertEquals("background", QueueLabelledExports.queueOf("spine.jobs.running.background"));
        assertEquals("realtime", QueueLabelledExports.queueOf("spine.jobs.run.realtime"));
        assertNull(QueueLabelledExports.queueOf("spine.jobs.enqueued"));
        assertNull(QueueLabelledExports.queueOf("spine.jobs.other.background"));
        assertNull(QueueLabelledExports.queueOf("spine.events.publish.latency"));
        assertNull(QueueLabelledExports.queueOf("spine.jobs.wait."));
        assertEquals("read", QueueLabelledExports.queueOf("spine.http.auth_failures.read"));
    }
}
