package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OTEL_* configuration really exports: spans reach a local OTLP/HTTP receiver. */
class OtlpExportTest {

    @Test
    void spansReachAnOtlpHttpReceiver() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        CountDownLatch received = new CountDownLatch(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            received.countDown();
        });
        receiver.start();
        try {
            String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();
            OpenTelemetry otel = Telemetry.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)::get,
                    Map.of("otel.exporter.otlp.endpoint", endpoint, "otel.exporter.otlp.protocol", "http/protobuf",
                            "otel.bsp.schedule.delay", "50"));
            Span span = otel.getTracer("test").spanBuilder("spine-otlp-probe").startSpan();
            span.end();
            assertTrue(received.await(30, TimeUnit.SECONDS), "the exporter posted to /v1/traces");
            assertTrue(bodies.stream().anyMatch(b -> new String(b, StandardCharsets.ISO_8859_1).contains("spine-otlp-probe")),
                    "the span is in the payload");
            ((OpenTelemetrySdk) otel).close();
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void withoutAnExporterTracingIsTheFreeNoOp() {
        assertTrue(Telemetry.from(Map.<String, String>of()::get, Map.of()) == OpenTelemetry.noop());
        assertTrue(Telemetry.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://x", "OTEL_SDK_DISABLED", "true")::get,
                Map.of()) == OpenTelemetry.noop());
    }

}
