package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TraceContext;
import dev.spine.testkit.Eventually;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryEventBusTest {

    @Test
    void groupsFanOutMembersShareAndDuplicatesAreDropped() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            Set<UUID> audit = ConcurrentHashMap.newKeySet();
            Map<UUID, String> shared = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("audit").build(), e -> audit.add(e.envelope().eventId()));
            bus.subscribe(SubscriptionOptions.durable("idx").eventTypes("data.*").build(),
                    e -> shared.put(e.envelope().eventId(), "a"));
            bus.subscribe(SubscriptionOptions.durable("idx").eventTypes("data.*").build(),
                    e -> shared.put(e.envelope().eventId(), "b"));
            for (int i = 0; i < 10; i++) {
                EventEnvelope e = TestSpines.event(i % 2 == 0 ? "data.EntityCreated" : "rule.RuleFired", i);
                assertFalse(bus.publish(e).duplicate());
                assertTrue(bus.publish(e).duplicate());
            }
            Eventually.await("delivered", () -> audit.size() == 10 && shared.size() == 5);
            assertTrue(shared.containsValue("a") && shared.containsValue("b"), "members of a group take turns");
        }
    }

    @Test
    void failingHandlerIsRetriedThenDeadLettered() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            AtomicInteger calls = new AtomicInteger();
            bus.subscribe(SubscriptionOptions.durable("x").maxDeliver(3).backoff(Duration.ofMillis(5)).build(), e -> {
                calls.incrementAndGet();
                throw new IllegalStateException("always");
            });
            bus.publish(TestSpines.event("ai.QueryReceived", 1));
            Eventually.await("dead-lettered", () -> bus.deadLetters().size() == 1);
            assertEquals(3, calls.get());
            assertEquals(3, bus.deadLetters().get(0).deliveredCount());
        }
    }

    /** As on the PostgreSQL bus: the envelope is all there is, so a follow-up carries the current span's trace. */
    @Test
    void anEventPublishedInsideASpanCarriesThatSpansTrace() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            Map<UUID, EventEnvelope> got = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("t").build(), e -> got.put(e.envelope().eventId(), e.envelope()));
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            EventEnvelope inside = TestSpines.event("data.EntityCreated", 1);
            EventEnvelope outside = TestSpines.event("data.EntityCreated", 2);
            try (Scope ignored = Span.wrap(SpanContext.create(traceId, "00f067aa0ba902b7", TraceFlags.getSampled(),
                    TraceState.getDefault())).makeCurrent()) {
                bus.publish(inside);
            }
            bus.publish(outside);
            Eventually.await("both delivered", () -> got.size() == 2);
            assertEquals("00-" + traceId + "-00f067aa0ba902b7-01",
                    got.get(inside.eventId()).traceContext().traceparent());
            assertNull(got.get(outside.eventId()).traceContext());
        }
    }

    /** A subscriber's handler runs in its event's trace: the follow-up it publishes continues that trace. */
    @Test
    void aSubscribersFollowUpContinuesItsEventsTrace() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            Map<UUID, EventEnvelope> followUps = new ConcurrentHashMap<>();
            bus.subscribe(SubscriptionOptions.durable("indexer").eventTypes("data.*").build(),
                    e -> bus.publish(TestSpines.event("system.IndexUpdated", 2)));
            bus.subscribe(SubscriptionOptions.durable("audit").eventTypes("system.*").build(),
                    e -> followUps.put(e.envelope().eventId(), e.envelope()));
            String traceId = "0af7651916cd43dd8448eb211c80319c";
            bus.publish(TestSpines.event("data.EntityCreated", 1).toBuilder()
                    .traceContext(new TraceContext("00-" + traceId + "-b7ad6b7169203331-01", null)).build());
            Eventually.await("the follow-up delivered", () -> followUps.size() == 1);
            TraceContext trace = followUps.values().iterator().next().traceContext();
            assertNotNull(trace, "the follow-up carries a trace context");
            assertTrue(trace.traceparent().startsWith("00-" + traceId + "-"), "the event's trace, continued: " + trace);
        }
    }

    @Test
    void rejectsWhatTheRealPublisherRejects() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            assertEquals(InvalidEventException.Code.UNKNOWN_DOMAIN, assertThrows(InvalidEventException.class,
                    () -> bus.publish(TestSpines.event("billing.InvoicePaid", 1))).code());
            assertEquals(List.of(), bus.deadLetters());
        }
    }
}
