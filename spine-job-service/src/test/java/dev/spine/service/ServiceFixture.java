package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A job service (and, in spine-server's tests, a whole server) wired to the test's own schema, stream names and subjects. */
public final class ServiceFixture {
    /**
     * The bundled routes without their cron schedules: a tick (every 15 minutes) inside a test would add a
     * job no test expects.
     */
    static final java.nio.file.Path DEFAULT_ROUTES_WITHOUT_CRON = routesWithoutCron();

    private static java.nio.file.Path routesWithoutCron() {
        try (var in = RoutingTable.class.getResourceAsStream(RoutingTable.DEFAULTS_RESOURCE)) {
            String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int schedules = yaml.indexOf("\nschedules:");
            java.nio.file.Path file = java.nio.file.Files.createTempFile("spine-routes-", ".yaml");
            file.toFile().deleteOnExit();
            return java.nio.file.Files.writeString(file, schedules < 0 ? yaml : yaml.substring(0, schedules + 1));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot write the test routing file", e);
        }
    }

    private ServiceFixture() {}

    public static ServiceConfig config(TestDatabase db, TestNats nats, Map<String, String> overrides) {
        return ServiceConfig.from(env(db, nats, overrides)::get);
    }

    /** The variables of a process on the test's schema, streams and subjects (the server's tests add theirs). */
    public static Map<String, String> env(TestDatabase db, TestNats nats, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_PG_URL", db.url());
        env.put("SPINE_PG_SCHEMA", db.schema());
        env.put("SPINE_PG_POOL_SIZE", "8"); // several services run at once in the suite; PostgreSQL allows 100 connections
        env.put("SPINE_NATS_URL", nats.url());
        env.put("SPINE_STREAM_PREFIX", nats.prefix() + "_");
        env.put("SPINE_SUBJECT_PREFIX", nats.prefix() + ".");
        env.put("SPINE_HTTP_ADDR", "127.0.0.1:0");
        env.put("SPINE_ADMIN_TOKEN", "test-token");
        env.put("SPINE_WORKERS_REALTIME", "2");
        env.put("SPINE_WORKERS_INTERACTIVE", "2");
        env.put("SPINE_WORKERS_BACKGROUND", "2");
        env.put("SPINE_SHUTDOWN_TIMEOUT", "5s");
        env.put("SPINE_ROUTES_FILE", DEFAULT_ROUTES_WITHOUT_CRON.toString());
        // the event bus HTTP service (its own consumer, pool and migrations) only where a test is about it
        env.put("SPINE_BUS_ENABLED", "false");
        env.putAll(overrides);
        return env;
    }

    /** A publisher on the same streams and subjects as the service of {@code config}. */
    public static Spine publisher(TestNats nats, ServiceConfig config) {
        return Spine.builder(nats.connect()).topology(StreamTopology.builder()
                .streamNamePrefix(config.nats().streamPrefix()).subjectPrefix(config.nats().subjectPrefix()).build()).build();
    }

    public static EventEnvelope event(String type, int n) {
        return EventEnvelope.builder().eventType(type).source("test")
                .data(JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    /** An OpenTelemetry SDK that hands every finished span to {@code exporter} at once, with W3C propagation. */
    public static OpenTelemetrySdk tracing(InMemorySpanExporter exporter) {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    }

    /** The one span named {@code name} among {@code spans}; fails naming them all when there is none or several. */
    public static SpanData oneSpan(List<SpanData> spans, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, found.size(), name + " in " + spans.stream().map(SpanData::getName).toList());
        return found.get(0);
    }
}
