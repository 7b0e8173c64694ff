package dev.spine.server.http;

import io.javalin.http.Context;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import com.codahale.metrics.MetricRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: the service's Dropwizard registry in the Prometheus text format, collected at
 * scrape time (gauges are cached values refreshed by the queue's maintenance, so a scrape never queries
 * PostgreSQL). Only metric names and numbers are written: no configuration, so no secret.
 */
final class MetricsEndpoint {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = ExpositionFormats.init().getPrometheusTextFormatWriter();

    MetricsEndpoint(MetricRegistry metrics) {
        registry.register(new QueueLabelledExports(metrics));
        registry.register(new LabelledCounterExports(metrics));
        registry.register(new UnservedExports(metrics));
        registry.register(new ConsumerLagExports(metrics));
    }

    void handle(Context ctx) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.scrape());
        ctx.status(200).contentType(writer.getContentType()).result(out.toByteArray());
    }
}
