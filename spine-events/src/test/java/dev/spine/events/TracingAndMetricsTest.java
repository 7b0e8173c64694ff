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

    /**
     * With no tracing of its own (no SDK given, the global one a no-op), the spine still carries the caller's
     * trace: an event published inside the caller's span names that span, in its envelope and its traceparent
     * header, and an event published outside any span names none.
     */
    @Test
    void withTracingOffAnEventPublishedInsideASpanCarriesThatSpansTrace(TestNats nats) throws Exception {
        Spine spine = untraced(nats);
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        EventEnvelope inside = TestSpines.event("data.EntityCreated", 1);
        long insideSeq;
        try (io.opentelemetry.context.Scope ignored = io.opentelemetry.api.trace.Span.wrap(
                io.opentelemetry.api.trace.SpanContext.create(traceId, "00f067aa0ba902b7",
                        io.opentelemetry.api.trace.TraceFlags.getSampled(),
                        io.opentelemetry.api.trace.TraceState.getDefault())).makeCurrent()) {
            insideSeq = spine.publish(inside).sequence();
        }
        long outsideSeq = spine.publish(TestSpines.event("data.EntityCreated", 2)).sequence();
        var jsm = nats.connect().jetStreamManagement();
        MessageInfo in = jsm.getMessage(spine.topology().platformStream(), insideSeq);
        MessageInfo out = jsm.getMessage(spine.topology().platformStream(), outsideSeq);
        String parent = "00-" + traceId + "-00f067aa0ba902b7-01";
        assertEquals(parent, in.getHeaders().getFirst("traceparent"));
        assertEquals(parent, spine.codec().decode(in.getData()).traceContext().traceparent());
        assertNull(out.getHeaders().getFirst("traceparent"));
        assertNull(spine.codec().decode(out.getData()).traceContext());
        spine.close();
    }

    /** With tracing off, a subscriber's handler runs in its event's trace: the follow-up it publishes continues it. */
    @Test
    void withTracingOffASubscribersFollowUpContinuesItsEventsTrace(TestNats nats) throws Exception {
        Spine spine = untraced(nats);
        List<EventEnvelope> followUps = new CopyOnWriteArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("indexer").eventTypes("data.*").build(),
                e -> spine.publish(TestSpines.event("system.IndexUpdated", 2)));
        spine.subscribe(SubscriptionOptions.durable("audit").eventTypes("system.*").build(),
                e -> followUps.add(e.envelope()));
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        spine.publish(TestSpines.event("data.EntityCreated", 1).toBuilder()
                .traceContext(new dev.spine.contracts.TraceContext("00-" + traceId + "-b7ad6b7169203331-01", null))
                .build());
        Eventually.await("the follow-up delivered", () -> followUps.size() == 1);
        assertEquals(traceId, followUps.get(0).traceContext().traceparent().substring(3, 35),
                "the follow-up is in the event's trace");
        spine.close();
    }

    /** A provisioned spine with no tracing of its own: no SDK given, a no-op API. */
    private static Spine untraced(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).openTelemetry(OpenTelemetry.noop())
                .build();
        spine.provision();
        return spine;
    }
}
