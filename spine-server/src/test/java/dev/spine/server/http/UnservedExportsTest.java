package dev.spine.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnservedExportsTest {

    @Test
    void unservedGaugesBecomeOneFamilyWithQueueAndTypeLabels() throws IOException {
        MetricRegistry dropwizard = new MetricRegistry();
        dropwizard.gauge("spine.jobs.unserved.background.ProcessIncomingDataJob", () -> (Gauge<Long>) () -> 2000L);
        dropwizard.gauge("spine.jobs.unserved.realtime.rules.v2.RunRuleEngineJob", () -> (Gauge<Long>) () -> 0L);
        dropwizard.gauge("spine.jobs.queue_depth.background", () -> (Gauge<Long>) () -> 5L);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new QueueLabelledExports(dropwizard));
        registry.register(new UnservedExports(dropwizard));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);

        assertTrue(text.contains("\nspine_jobs_unserved{queue=\"background\",type=\"ProcessIncomingDataJob\"} 2000.0\n"),
                text);
        assertTrue(text.contains("\nspine_jobs_unserved{queue=\"realtime\",type=\"rules.v2.RunRuleEngineJob\"} 0.0\n"),
                "a type with dots keeps them; the queue never has one: " + text);
        assertEquals(1, text.split("# TYPE spine_jobs_unserved gauge", -1).length - 1, text);
        assertFalse(text.contains("spine_jobs_unserved_background"), "not also through the plain bridge: " + text);
        assertTrue(text.contains("\nspine_jobs_queue_depth{queue=\"background\"} 5.0\n"), text);
    }

    @Test
    void noUnservedGaugeNoFamily() {
        assertTrue(new UnservedExports(new MetricRegistry()).collect().size() == 0);
    }
}
