package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import dev.spine.events.SubscriptionOptions;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What only the PostgreSQL backend has to show: losing a worker mid-topic, redrive, pruning, the trace of a
 * follow-up.
 */
@ExtendWith(SpineServices.class)
class PostgresEventBusTest {

    /**
     * A worker's database session dies while it works through a topic (handled events not yet marked
     * done): the group's other worker takes the topic over; every event is handled, none is lost.
     */
    @Test
    void aWorkerThatLosesItsSessionMidTopicLosesNoEvent(TestDatabase db) {
        PostgresEventBus bus = busOn(db, 5).build();
        try {
            Map<UUID, Integer> handled = new ConcurrentHashMap<>();
            AtomicBoolean killed = new AtomicBoolean();
            SubscriptionOptions group = SubscriptionOptions.durable("indexer").batchSize(20).build();
            for (int i = 0; i < 2; i++) {
                bus.subscribe(group, e -> {
                    if (handled.size() == 10 && killed.compareAndSet(false, true)) {
                        terminate(db, Thread.currentThread().getName()); // this worker's own session
                    }
                    handled.merge(e.envelope().eventId(), 1, Integer::sum);
                });
            }
            Set<UUID> sent = new HashSet<>();
            for (int i = 0; i < 60; i++) {
                EventEnvelope e = OutboxRelayTest.event("aggregate-1"); // one type, no key: one topic, one worker at a time
                bus.publish(e);
                sent.add(e.eventId());
            }
            Eventually.await("every event handled after the loss", () -> handled.keySet().equals(sent)
                    && db.queryLong("select count(*) from " + db.schema()
                    + ".domain_event_deliveries where state = 'available'") == 0);
            assertTrue(killed.get());
        } finally {
            bus.close();
        }
    }

    @Test
    void aDeadDeliveryCanBeRedrivenAndFinishedOnesPruned(TestDatabase db) {
        PostgresEventBus bus = busOn(db, 3).build();
        try {
            AtomicBoolean healthy = new AtomicBoolean(false);
            Set<UUID> done = ConcurrentHashMap.newKeySet();
            bus.subscribe(SubscriptionOptions.durable("mailer").maxDeliver(2).backoff(Duration.ofMillis(10)).build(), e -> {
                if (!healthy.get()) {
                    throw new IllegalStateException("smtp down");
                }
                done.add(e.envelope().eventId());
            });
            EventEnvelope e = OutboxRelayTest.event("k");
            bus.publish(e);
            Eventually.await("dead after two deliveries", () -> bus.deadLetters("mailer", 10).size() == 1);
            PostgresEventBus.DeadDelivery dead = bus.deadLetters("mailer", 10).get(0);
            assertEquals(2, dead.attempts());
            assertTrue(dead.error().contains("smtp down"), dead.error());
            assertEquals(e, dead.event());
            healthy.set(true);
            assertTrue(bus.redrive(dead));
            Eventually.await("handled after the redrive", () -> done.contains(e.eventId()));
            Eventually.await("marked done", () -> bus.deadLetters("mailer", 10).isEmpty() && db.queryLong(
                    "select count(*) from " + db.schema() + ".domain_event_deliveries where state = 'done'") == 1);
            assertEquals(2, bus.pruneFinishedBefore(Instant.now().plusSeconds(60)), "the delivery and the event");
            assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".domain_events"));
        } finally {
            bus.close();
        }
    }

    /**
     * This backend keeps no headers, so an event published inside a span (a job handler's follow-up) and naming
     * no trace context of its own is stored with the span's: its subscribers, and the jobs made of it, continue
     * the trace. An event with a trace context of its own keeps it; one published outside any span gets none.
     */
    @Test
    void anEventPublishedInsideASpanCarriesThatSpansTrace(TestDatabase db) {
        PostgresEventBus bus = busOn(db, 3).build();
        try {
            Map<UUID, EventEnvelope> got = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("tracer").build(),
                    e -> got.put(e.envelope().eventId(), e.envelope()));
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            SpanContext handlerSpan = SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(),
                    TraceState.getDefault());
            TraceContext own = new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null);
            EventEnvelope followUp = OutboxRelayTest.event("follow-up");
            EventEnvelope ownTrace = OutboxRelayTest.event("own").toBuilder().traceContext(own).build();
            EventEnvelope outside = OutboxRelayTest.event("outside");
            try (Scope ignored = Span.wrap(handlerSpan).makeCurrent()) {
                bus.publish(followUp);
                bus.publish(ownTrace);
            }
            bus.publish(outside);
            Eventually.await("all three delivered", () -> got.size() == 3);
            assertEquals("00-" + traceId + "-00f067aa0ba902b7-01",
                    got.get(followUp.eventId()).traceContext().traceparent());
            assertEquals(own, got.get(ownTrace.eventId()).traceContext());
            assertNull(got.get(outside.eventId()).traceContext());
        } finally {
            bus.close();
        }
    }

    /** A subscriber's handler runs in its event's trace: the follow-up it publishes continues that trace. */
    @Test
    void aSubscribersFollowUpContinuesItsEventsTrace(TestDatabase db) {
        PostgresEventBus bus = busOn(db, 4).build();
        try {
            Map<UUID, EventEnvelope> followUps = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("indexer").eventTypes("data.*").build(),
                    e -> bus.publish(EventEnvelope.builder().eventType("system.IndexUpdated").source("indexer")
                            .data(JsonNodeFactory.instance.objectNode().put("of", e.envelope().eventId().toString()))
                            .build()));
            bus.subscribe(SubscriptionOptions.durable("audit").eventTypes("system.*").build(),
                    e -> followUps.put(e.envelope().eventId(), e.envelope()));
            String traceId = "0af7651916cd43dd8448eb211c80319c";
            bus.publish(OutboxRelayTest.event("traced").toBuilder()
                    .traceContext(new TraceContext("00-" + traceId + "-b7ad6b7169203331-01", null)).build());
            Eventually.await("the follow-up delivered", () -> followUps.size() == 1);
            TraceContext trace = followUps.values().iterator().next().traceContext();
            assertNotNull(trace, "the follow-up carries a trace context");
            assertTrue(trace.traceparent().startsWith("00-" + traceId + "-"), "the event's trace, continued: " + trace);
        } finally {
            bus.close();
        }
    }

    /**
     * With an SDK, each handling is a CONSUMER span (as on NATS): the child of the event's trace context,
     * {@code messaging.system=postgresql}, failed attempts marked as errors; the follow-up the handler publishes
     * is the span's child.
     */
    @Test
    void eachHandlingIsAConsumerSpanInTheEventsTrace(TestDatabase db) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        PostgresEventBus bus = busOn(db, 4).openTelemetry(otel).build();
        try {
            AtomicBoolean failedOnce = new AtomicBoolean();
            Map<UUID, EventEnvelope> followUps = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("indexer").eventTypes("data.*").backoff(Duration.ofMillis(10))
                    .build(), e -> {
                        if (failedOnce.compareAndSet(false, true)) {
                            throw new IllegalStateException("index not ready");
                        }
                        bus.publish(EventEnvelope.builder().eventType("system.IndexUpdated").source("indexer")
                                .data(JsonNodeFactory.instance.objectNode().put("ok", true)).build());
                    });
            bus.subscribe(SubscriptionOptions.durable("audit").eventTypes("system.*").build(),
                    e -> followUps.put(e.envelope().eventId(), e.envelope()));
            String traceId = "0af7651916cd43dd8448eb211c80319c";
            bus.publish(OutboxRelayTest.event("traced").toBuilder()
                    .traceContext(new TraceContext("00-" + traceId + "-b7ad6b7169203331-01", null)).build());
            Eventually.await("the follow-up handled", () -> followUps.size() == 1 && exporter.getFinishedSpanItems()
                    .stream().anyMatch(s -> s.getName().equals("process system.IndexUpdated")));
            List<SpanData> handled = exporter.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("process data.EntityUpdated")).toList();
            assertEquals(2, handled.size(), "the failed attempt and the retry");
            for (SpanData s : handled) {
                assertEquals(SpanKind.CONSUMER, s.getKind());
                assertEquals(traceId, s.getTraceId());
                assertEquals("b7ad6b7169203331", s.getParentSpanId());
                assertEquals("postgresql", s.getAttributes().get(AttributeKey.stringKey("messaging.system")));
                assertEquals("indexer", s.getAttributes().get(AttributeKey.stringKey("messaging.consumer.group.name")));
            }
            assertEquals(StatusCode.ERROR, handled.get(0).getStatus().getStatusCode());
            assertEquals(StatusCode.UNSET, handled.get(1).getStatus().getStatusCode());
            String followUpParent = followUps.values().iterator().next().traceContext().traceparent();
            assertEquals("00-" + traceId + "-" + handled.get(1).getSpanId() + "-01", followUpParent,
                    "the follow-up is the successful handling's child");
        } finally {
            bus.close();
        }
    }

    /** A bus on the test's schema with {@code connections} of its own, polling every 20 ms. */
    private static PostgresEventBus.Builder busOn(TestDatabase db, int connections) {
        return PostgresEventBus.builder(db.newDataSource(connections)).schema(db.schema())
                .pollInterval(Duration.ofMillis(20));
    }

    private static void terminate(TestDatabase db, String applicationName) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement p = c.prepareStatement(
                "select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?")) {
            p.setString(1, applicationName);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next(), "no session named " + applicationName);
            }
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
