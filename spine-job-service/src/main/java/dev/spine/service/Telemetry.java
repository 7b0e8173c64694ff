package dev.spine.service;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenTelemetry for the job service from the standard {@code OTEL_*} variables. Tracing is on when an
 * exporter is named ({@code OTEL_TRACES_EXPORTER}) or an OTLP endpoint is given
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT} / {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}); otherwise, or with
 * {@code OTEL_SDK_DISABLED=true}, it is the no-op API and costs nothing. Metrics and logs exporters
 * default to {@code none} (Jaeger takes traces only; metrics are served at /metrics).
 */
public final class Telemetry {
    private Telemetry() {}

    public static OpenTelemetry fromEnvironment() {
        return from(System::getenv, Map.of());
    }

    /**
     * @param env the variables to decide with (tests pass a map)
     * @param properties extra {@code otel.*} properties (tests point the exporter at a local receiver)
     */
    public static OpenTelemetry from(Function<String, String> env, Map<String, String> properties) {
        boolean named = set(env, "OTEL_TRACES_EXPORTER") || set(env, "OTEL_EXPORTER_OTLP_ENDPOINT")
                || set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") || properties.containsKey("otel.traces.exporter");
        if (!named || "true".equalsIgnoreCase(env.apply("OTEL_SDK_DISABLED"))) {
            return OpenTelemetry.noop();
        }
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none",
                        "otel.service.name", "spine-job-service"))
                .addPropertiesSupplier(() -> properties)
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
    }

    private static boolean set(Function<String, String> env, String name) {
        String v = env.apply(name);
        return v != null && !v.isBlank() && !v.equals("none");
    }
}
