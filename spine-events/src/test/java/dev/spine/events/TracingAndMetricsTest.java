package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.api.MessageInfo;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class TracingAndMetricsTest {

    /** Keeps finished spans in memory. */
    static final class Collected implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void publishAndProcessSpansShareOneTraceThroughHeadersAndEnvelope(TestNats nats) throws Exception {
        Collected exporter = new Collected();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        OpenTelemetry otel = new OpenTelemetry() {
            @Override
            public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
                return provider;
            }

            @Override
            public ContextPropagators getPropagators() {
                return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
            }
        };
        TestSpines.provisioned(nats);
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).openTelemetry(otel).build();
        List<ReceivedEvent> got = new CopyOnWriteArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("traced").build(), got::add);
        EventEnvelope e = TestSpines.event("ai.QueryReceived", 1);
        long seq = spine.publish(e).sequence();
        Eventually.await("consumed and both spans ended", () -> got.size() == 1 && exporter.spans.size() >= 2);

        SpanData producer = exporter.spans.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).findFirst().orElseThrow();
        SpanData consumer = exporter.spans.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).findFirst().orElseThrow();
        assertEquals(producer.getTraceId(), consumer.getTraceId());
        assertEquals(producer.getSpanId(), consumer.getParentSpanId(), "process span is a child of the publish span");
        assertEquals("nats", producer.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("messaging.system")));
        assertEquals(e.eventId().toString(), producer.getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.stringKey("messaging.message.id")));
        assertEquals("traced", consumer.getAttributes()
                .get(io.opentelemetry.api.common.AttributeKey.stringKey("messaging.consumer.group.name")));

        MessageInfo stored = nats.connect().jetStreamManagement().getMessage(spine.topology().platformStream(), seq);
        String traceparent = stored.getHeaders().getFirst("traceparent");
        assertEquals("00-" + producer.getTraceId() + "-" + producer.getSpanId() + "-"
                + producer.getSpanContext().getTraceFlags().asHex(), traceparent);
        assertEquals(traceparent, got.get(0).envelope().traceContext().traceparent(), "the envelope carries it too");
        spine.close();
    }

    @Test
    void countersAndTimersFollowWhatHappened(TestNats nats) {
        MetricRegistry registry = new MetricRegistry();
        TestSpines.provisioned(nats);
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).metricRegistry(registry).build();
        spine.subscribe(SubscriptionOptions.durable("m").maxDeliver(2).backoff(Duration.ofMillis(10)).build(), ev -> {
            if (ev.envelope().data().get("n").asInt() == 0) {
                throw new IllegalStateException("poison");
            }
        });
        spine.publish(TestSpines.event("job.Failed", 0));
        spine.publish(TestSpines.event("job.Failed", 1));
        Eventually.await("dead-lettered", () -> registry.counter("spine.events.dead_lettered").getCount() == 1);
        assertEquals(2, registry.counter("spine.events.published").getCount());
        assertEquals(1, registry.counter("spine.events.delivered").getCount());
        assertEquals(2, registry.counter("spine.events.failed").getCount());
        assertEquals(1, registry.counter("spine.events.redelivered").getCount());
        assertEquals(2, registry.timer("spine.events.publish.latency").getCount());
        assertEquals(3, registry.timer("spine.events.handler.latency").getCount());
        spine.close();
    }
}
