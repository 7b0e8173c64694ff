package dev.spine.events.postgres.contract;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TypedEvent;
import dev.spine.events.EventBus;
import dev.spine.events.EventHandler;
import dev.spine.events.EventRejectedException;
import dev.spine.events.ReceivedEvent;
import dev.spine.events.SubscriptionOptions;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The publisher/subscriber contract every {@link EventBus} backend keeps; one subclass per backend
 * ({@code SPINE_EVENT_BUS} = nats, postgres, in-memory) runs the same tests against it.
 */
@ExtendWith(SpineServices.class)
abstract class EventBusContract {
    private final List<EventBus> buses = new ArrayList<>();

    /** A fresh, isolated bus of the backend under test. */
    protected abstract EventBus create(TestDatabase db, TestNats nats);

    /** Dead letters of {@code durable} on {@code bus}. */
    protected abstract int deadLetters(EventBus bus, String durable);

    private EventBus bus(TestDatabase db, TestNats nats) {
        EventBus b = create(db, nats);
        buses.add(b);
        return b;
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(EventBus::close);
    }

    static EventEnvelope event(String type, int n) {
        return EventEnvelope.builder().eventType(type).source("contract")
                .data(JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    static SubscriptionOptions.Builder durable(String name) {
        return SubscriptionOptions.durable(name).backoff(Duration.ofMillis(20)).batchSize(50);
    }

    @Test
    void aPublishedEventReachesTheSubscriberUnchanged(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<ReceivedEvent> got = new CopyOnWriteArrayList<>();
        bus.subscribe(durable("reader").build(), got::add);
        EventEnvelope sent = EventEnvelope.builder().eventType("connector.DataReceived").source("gw")
                .data(JsonNodeFactory.instance.objectNode().put("celsius", 21.5)).tenantId("t-1").partitionKey("dev-1")
                .build();
        assertFalse(bus.publish(sent).duplicate());
        Eventually.await("delivered", () -> got.size() == 1);
        assertEquals(sent, got.get(0).envelope());
        assertEquals(1, got.get(0).deliveredCount());
    }

    @Test
    void durableNamesFanOutAndInstancesOfOneCompete(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        Map<UUID, Integer> shared = new ConcurrentHashMap<>();
        Set<UUID> audit = ConcurrentHashMap.newKeySet();
        EventHandler worker = e -> shared.merge(e.envelope().eventId(), 1, Integer::sum);
        bus.subscribe(durable("indexer").build(), worker);
        bus.subscribe(durable("indexer").build(), worker);
        bus.subscribe(durable("audit").build(), e -> audit.add(e.envelope().eventId()));
        int total = 60;
        for (int i = 0; i < total; i++) {
            bus.publish(event(i % 2 == 0 ? "data.EntityCreated" : "rule.RuleFired", i));
        }
        Eventually.await("every event to both groups", () -> shared.size() == total && audit.size() == total);
        assertTrue(shared.values().stream().allMatch(n -> n == 1), "no event handled twice within a group");
    }

    @Test
    void eventTypePatternsSelectWhatASubscriberGets(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        Set<String> comms = ConcurrentHashMap.newKeySet();
        Set<String> sms = ConcurrentHashMap.newKeySet();
        bus.subscribe(durable("comms").eventTypes("communication.*").build(), e -> comms.add(e.envelope().eventType()));
        bus.subscribe(durable("sms").eventTypes("communication.SmsReceived").build(),
                e -> sms.add(e.envelope().eventType()));
        AtomicInteger all = new AtomicInteger();
        bus.subscribe(durable("all").build(), e -> all.incrementAndGet());
        bus.publish(event("communication.SmsReceived", 1));
        bus.publish(event("communication.EmailReceived", 2));
        bus.publish(event("data.EntityUpdated", 3));
        Eventually.await("filtered delivery", () -> all.get() == 3 && comms.size() == 2 && sms.size() == 1);
        assertEquals(Set.of("communication.SmsReceived", "communication.EmailReceived"), comms);
        assertEquals(Set.of("communication.SmsReceived"), sms);
    }

    @Test
    void theSameEventIdIsStoredAndDeliveredOnce(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        AtomicInteger deliveries = new AtomicInteger();
        bus.subscribe(durable("once").build(), e -> deliveries.incrementAndGet());
        EventEnvelope e = event("ai.QueryReceived", 1);
        assertFalse(bus.publish(e).duplicate());
        assertTrue(bus.publish(e).duplicate());
        assertTrue(bus.publishAsync(e).join().duplicate());
        EventEnvelope marker = event("ai.QueryReceived", 2);
        bus.publish(marker);
        Eventually.await("both events delivered", () -> deliveries.get() >= 2);
        assertEquals(2, deliveries.get());
    }

    @Test
    void aFailingHandlerIsRetriedAfterItsBackoffUntilItSucceeds(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<Long> deliveries = new CopyOnWriteArrayList<>();
        bus.subscribe(durable("flaky").maxDeliver(5).build(), e -> {
            deliveries.add(e.deliveredCount());
            if (e.deliveredCount() < 3) {
                throw new IllegalStateException("transient " + e.deliveredCount());
            }
        });
        bus.publish(event("rule.RuleFired", 1));
        Eventually.await("third delivery", () -> deliveries.size() >= 3);
        assertEquals(List.of(1L, 2L, 3L), deliveries);
        assertEquals(0, deadLetters(bus, "flaky"));
    }

    @Test
    void aPoisonEventIsDeadLetteredAfterMaxDeliverAndARejectedOneAtOnce(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        AtomicInteger poisonCalls = new AtomicInteger();
        bus.subscribe(durable("poison").maxDeliver(3).build(), e -> {
            poisonCalls.incrementAndGet();
            throw new IllegalStateException("always fails");
        });
        AtomicInteger rejectedCalls = new AtomicInteger();
        bus.subscribe(durable("strict").maxDeliver(5).build(), e -> {
            rejectedCalls.incrementAndGet();
            throw new EventRejectedException("can never succeed");
        });
        bus.publish(event("job.Failed", 1));
        Eventually.await("dead-lettered in both groups", () -> deadLetters(bus, "poison") == 1
                && deadLetters(bus, "strict") == 1);
        assertEquals(3, poisonCalls.get());
        assertEquals(1, rejectedCalls.get(), "a rejection is not retried");
    }

    @Test
    void invalidEventsAreRefusedBeforeAnythingIsStored(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        AtomicInteger delivered = new AtomicInteger();
        bus.subscribe(durable("any").build(), e -> delivered.incrementAndGet());
        InvalidEventException domain = assertThrows(InvalidEventException.class,
                () -> bus.publish(event("billing.InvoicePaid", 1)));
        assertEquals(InvalidEventException.Code.UNKNOWN_DOMAIN, domain.code());
        EventEnvelope badEmail = EventEnvelope.builder().eventType("communication.EmailSendRequested").source("x")
                .data(JsonNodeFactory.instance.objectNode().put("to", "not-an-address").put("subject", "Hi")).build();
        InvalidEventException schema = assertThrows(InvalidEventException.class, () -> bus.publish(badEmail));
        assertEquals(InvalidEventException.Code.SCHEMA_VALIDATION_ERROR, schema.code());
        assertEquals("data.to", schema.field());
        bus.publish(event("system.MarkerSent", 1));
        Eventually.await("only the valid marker delivered", () -> delivered.get() == 1);
    }

    @Test
    void eventsOfOnePartitionKeyAreHandledInPublishOrder(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        bus.subscribe(durable("ordered").orderedByPartitionKey(4).build(), e -> seen
                .computeIfAbsent(e.envelope().partitionKey(), k -> new CopyOnWriteArrayList<>())
                .add(e.envelope().data().get("n").asInt()));
        Map<String, List<Integer>> sent = new java.util.HashMap<>();
        String[] types = {"data.EntityCreated", "data.EntityUpdated", "rule.RuleFired"};
        for (int i = 0; i < 120; i++) {
            String key = "aggregate-" + (i % 5);
            bus.publish(event(types[i % types.length], i).toBuilder().partitionKey(key).build());
            sent.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        Eventually.await("all handled", () -> seen.values().stream().mapToInt(List::size).sum() == 120);
        assertEquals(sent, seen, "per key, in publish order (across event types)");
    }

    record Reading(String deviceId, double celsius) {}

    @Test
    void typedEventsGoThroughWithoutHandWrittenJson(TestDatabase db, TestNats nats) {
        TypedEvent<Reading> reading = TypedEvent.of("connector.DataReceived", Reading.class);
        EventBus bus = bus(db, nats);
        List<Reading> got = new CopyOnWriteArrayList<>();
        bus.subscribe(durable("typed").eventTypes(reading.eventType()).build(),
                EventHandler.typed(reading, (r, e) -> got.add(r)));
        bus.publish(reading.envelope("gw", new Reading("d-1", 21.5)).build());
        Eventually.await("typed delivery", () -> got.size() == 1);
        assertEquals(new Reading("d-1", 21.5), got.get(0));
    }
}
