package dev.spine.events.postgres.contract;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TraceContext;
import dev.spine.contracts.TypedEvent;
import dev.spine.events.BatchHandler;
import dev.spine.events.Delivery;
import dev.spine.events.EventBus;
import dev.spine.events.EventLogContext;
import dev.spine.events.ReplayOptions;
import dev.spine.events.ReplayResult;
import dev.spine.events.EventSubscription;
import dev.spine.events.LiveFeed;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.StoredEvent;
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
import org.slf4j.MDC;

/**
 * The publisher/subscriber contract every {@link EventBus} backend keeps; one subclass per backend
 * ({@code SPINE_EVENT_BUS} = nats, postgres, in-memory) runs the same tests against it: per-event and batch
 * subscriptions, settlement, start positions, reads and live feeds. Absence of a redelivery is proven
 * without sleeping: a marker published after it must arrive while the event did not.
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
    void theHandlerSeesTheEventsIdsAndTraceInTheMdcAndNothingOfTheEventBefore(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(durable("mdc").build(), e -> seen.add(MDC.getCopyOfContextMap()));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        EventEnvelope traced = event("data.EntityCreated", 1).toBuilder()
                .traceContext(new TraceContext("00-" + traceId + "-00f067aa0ba902b7-01", null)).build();
        EventEnvelope untraced = event("data.EntityUpdated", 2);
        bus.publish(traced);
        bus.publish(untraced);
        Eventually.await("both delivered", () -> seen.size() == 2);
        Map<String, String> first = seenFor(seen, traced);
        assertEquals("data.EntityCreated", first.get(EventLogContext.EVENT_TYPE));
        assertEquals(traced.correlationId().toString(), first.get(EventLogContext.CORRELATION_ID));
        assertEquals(traceId, first.get(EventLogContext.TRACE_ID));
        Map<String, String> second = seenFor(seen, untraced);
        assertEquals(untraced.correlationId().toString(), second.get(EventLogContext.CORRELATION_ID));
        assertNotEquals(traceId, second.get(EventLogContext.TRACE_ID), "no trace id left from the event before");
    }

    /** The MDC a handler saw for {@code event} (delivery order is not what this test is about). */
    private static Map<String, String> seenFor(List<Map<String, String>> seen, EventEnvelope event) {
        return seen.stream().filter(m -> event.eventId().toString().equals(m.get(EventLogContext.EVENT_ID))).findFirst()
                .orElseThrow(() -> new AssertionError("no MDC with eventId " + event.eventId() + " in " + seen));
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

    // ---- batch subscriptions -------------------------------------------------------------------------

    private static List<EventEnvelope> publishAll(EventBus bus, String type, int n) {
        List<EventEnvelope> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EventEnvelope e = event(type, i);
            bus.publish(e);
            sent.add(e);
        }
        return sent;
    }

    private static UUID id(Delivery d) {
        return d.envelope().eventId();
    }

    /**
     * Subscribes {@code durable} again, publishes a marker and waits for it: every earlier event of the durable
     * that is still due would come before the marker, so what arrives besides the marker is returned.
     */
    private static List<UUID> redeliveredBeforeMarker(EventBus bus, String durable) {
        List<UUID> seen = new CopyOnWriteArrayList<>();
        EventEnvelope marker = event("system.MarkerSent", -1);
        bus.subscribeBatch(durable(durable).build(), batch -> batch.forEach(d -> seen.add(id(d))));
        bus.publish(marker);
        Eventually.await("the marker", () -> seen.contains(marker.eventId()));
        List<UUID> others = new ArrayList<>(seen);
        others.remove(marker.eventId());
        return others;
    }

    @Test
    void aBacklogArrivesInBatchesNoLargerThanBatchSizeEachEventOnce(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> sent = publishAll(bus, "data.EntityCreated", 120);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        Map<UUID, Integer> got = new ConcurrentHashMap<>();
        bus.subscribeBatch(durable("batches").batchSize(25).build(), batch -> {
            sizes.add(batch.size());
            batch.forEach(d -> got.merge(id(d), 1, Integer::sum));
        });
        Eventually.await("all 120", () -> got.size() == 120);
        assertTrue(sizes.stream().anyMatch(n -> n > 1), "a backlog comes in batches, got " + sizes);
        assertTrue(sizes.stream().allMatch(n -> n <= 25), "never more than batchSize, got " + sizes);
        assertTrue(got.values().stream().allMatch(n -> n == 1), "each event once");
        sent.forEach(e -> assertTrue(got.containsKey(e.eventId())));
    }

    @Test
    void aLoneEventIsHandedOverAtOnceNotAfterTheLinger(TestDatabase db, TestNats nats) throws Exception {
        EventBus bus = bus(db, nats);
        java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        bus.subscribeBatch(durable("lone").newEventsOnly(true).linger(Duration.ofSeconds(30)).build(), batch -> {
            sizes.add(batch.size());
            got.countDown();
        });
        bus.publish(event("ai.QueryReceived", 1));
        // with the 30 s linger applied to a lone event this would time out
        assertTrue(got.await(10, java.util.concurrent.TimeUnit.SECONDS), "a lone event does not wait for the linger");
        assertEquals(List.of(1), sizes);
    }

    @Test
    void ackedAndTerminatedDeliveriesAreNotRedeliveredAndTermIsNoDeadLetter(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> sent = publishAll(bus, "rule.RuleFired", 6);
        UUID refused = sent.get(2).eventId();
        Set<UUID> handled = ConcurrentHashMap.newKeySet();
        EventSubscription s = bus.subscribeBatch(durable("settle").build(), batch -> {
            for (Delivery d : batch) {
                if (id(d).equals(refused)) {
                    d.term("not an event we can use");
                    assertTrue(d.isSettled());
                } else if (d.envelope().data().get("n").asInt() % 2 == 0) {
                    d.ack(); // the odd ones are left unsettled: acked when the handler returns
                }
                handled.add(id(d));
            }
        });
        Eventually.await("all six", () -> handled.size() == 6);
        s.close();
        assertEquals(List.of(), redeliveredBeforeMarker(bus, "settle"));
        assertEquals(0, deadLetters(bus, "settle"), "term is the handler's decision, not a dead letter");
    }

    @Test
    void aNakWithDelayIsRedeliveredAfterTheDelay(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        Map<Long, Long> firstSeenAt = new ConcurrentHashMap<>();
        bus.subscribeBatch(durable("later").build(), batch -> {
            for (Delivery d : batch) {
                firstSeenAt.putIfAbsent(d.deliveredCount(), System.nanoTime());
                if (d.deliveredCount() == 1) {
                    d.nakWithDelay(Duration.ofMillis(700));
                }
            }
        });
        bus.publish(event("connector.DataReceived", 1));
        Eventually.await("second delivery", () -> firstSeenAt.containsKey(2L));
        long waited = Duration.ofNanos(firstSeenAt.get(2L) - firstSeenAt.get(1L)).toMillis();
        assertTrue(waited >= 600, "redelivered after the delay, not at once: " + waited + " ms");
    }

    @Test
    void aThrowingHandlerGetsItsUnsettledDeliveriesAgainAndNothingIsLost(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> sent = publishAll(bus, "data.EntityUpdated", 30);
        Map<UUID, List<Long>> deliveries = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        Set<UUID> handedBack = ConcurrentHashMap.newKeySet();
        bus.subscribeBatch(durable("flaky-batch").batchSize(10).build(), batch -> {
            batch.forEach(d -> deliveries.computeIfAbsent(id(d), k -> new CopyOnWriteArrayList<>()).add(d.deliveredCount()));
            if (failures.get() < 2) {
                failures.incrementAndGet();
                if (batch.size() > 1) {
                    batch.get(0).ack(); // settled before the failure: kept as acked
                }
                // a broker may hand over a batch of one (the batcher took it as it came): that one is handed back
                batch.stream().filter(d -> !d.isSettled()).forEach(d -> handedBack.add(id(d)));
                throw new IllegalStateException("database down");
            }
        });
        // done once every event came and every delivery the failures handed back came again (after its backoff)
        Eventually.await("every event handled", () -> deliveries.size() == 30 && failures.get() == 2
                && handedBack.stream().allMatch(id -> deliveries.get(id).size() > 1));
        sent.forEach(e -> assertTrue(deliveries.containsKey(e.eventId()), "nothing lost"));
        long redelivered = deliveries.values().stream().filter(l -> l.size() > 1).count();
        assertTrue(redelivered > 0, "the failed batches came again");
        deliveries.values().stream().filter(l -> l.size() > 1)
                .forEach(l -> assertEquals(l.get(0) + 1, l.get(1), "counted as a redelivery: " + l));
        assertEquals(0, deadLetters(bus, "flaky-batch"));
    }

    @Test
    void batchesDeadLetterAtMaxDeliverButNeverWithUnlimitedDeliveries(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        AtomicInteger limited = new AtomicInteger();
        bus.subscribeBatch(durable("limited").maxDeliver(2).build(), batch -> {
            limited.addAndGet(batch.size());
            throw new IllegalStateException("always");
        });
        List<Long> unlimited = new CopyOnWriteArrayList<>();
        bus.subscribeBatch(durable("forever").maxDeliver(SubscriptionOptions.UNLIMITED_DELIVERIES).build(), batch -> {
            batch.forEach(d -> unlimited.add(d.deliveredCount()));
            if (batch.get(0).deliveredCount() < 7) {
                throw new IllegalStateException("until the 7th");
            }
        });
        bus.publish(event("job.Failed", 1));
        Eventually.await("dead after two", () -> deadLetters(bus, "limited") == 1);
        assertEquals(2, limited.get());
        Eventually.await("seventh delivery", () -> unlimited.contains(7L));
        assertEquals(0, deadLetters(bus, "forever"), "unlimited deliveries never dead-letter");
    }

    @Test
    void competingBatchSubscribersOfOneDurableGetEachEventOnce(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        Map<UUID, Integer> got = new ConcurrentHashMap<>();
        BatchHandler handler = batch -> batch.forEach(d -> got.merge(id(d), 1, Integer::sum));
        EventSubscription first = bus.subscribeBatch(durable("shared").batchSize(5).build(), handler);
        EventSubscription second = bus.subscribeBatch(durable("shared").batchSize(5).build(), handler);
        publishAll(bus, "communication.SmsReceived", 200);
        Eventually.await("all 200", () -> got.size() == 200);
        assertTrue(got.values().stream().allMatch(n -> n == 1), "no event to both instances");
        first.close();
        second.close();
        assertEquals(List.of(), redeliveredBeforeMarker(bus, "shared"), "every event was acknowledged");
    }

    @Test
    void aNewDurableStartsAtTheBeginningAtTheEndOrAtASequence(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> old = publishAll(bus, "data.EntityCreated", 3);
        long third = bus.lastSequence();
        Set<UUID> all = ConcurrentHashMap.newKeySet();
        Set<UUID> fresh = ConcurrentHashMap.newKeySet();
        Set<UUID> fromThird = ConcurrentHashMap.newKeySet();
        bus.subscribeBatch(durable("from-start").build(), batch -> batch.forEach(d -> all.add(id(d))));
        bus.subscribeBatch(durable("new-only").newEventsOnly(true).build(), batch -> batch.forEach(d -> fresh.add(id(d))));
        bus.subscribeBatch(durable("from-seq").startSequence(third).build(),
                batch -> batch.forEach(d -> fromThird.add(id(d))));
        EventEnvelope later = event("data.EntityCreated", 4);
        bus.publish(later);
        Eventually.await("the later event everywhere", () -> all.contains(later.eventId())
                && fresh.contains(later.eventId()) && fromThird.contains(later.eventId()));
        Eventually.await("the backlog of from-start", () -> all.size() == 4);
        assertEquals(Set.of(later.eventId()), fresh);
        assertEquals(Set.of(old.get(2).eventId(), later.eventId()), fromThird);
    }

    @Test
    void aDeliveryCarriesItsBytesPositionAndCount(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        EventEnvelope sent = event("connector.DataReceived", 7);
        bus.publish(sent);
        List<Delivery> got = new CopyOnWriteArrayList<>();
        bus.subscribeBatch(durable("origin").build(), got::addAll);
        Eventually.await("delivered", () -> got.size() == 1);
        Delivery d = got.get(0);
        assertEquals(sent, d.envelope());
        assertEquals(sent, dev.spine.contracts.EventCodec.defaults().decode(d.data()));
        assertEquals(bus.lastSequence(), d.sequence());
        assertEquals(1, d.deliveredCount());
        assertNotNull(d.stream());
        assertTrue(d.subject().endsWith("connector.DataReceived"));
    }

    @Test
    void aRemovedDurableForgetsItsPosition(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        EventEnvelope e = event("rule.RuleFired", 1);
        bus.publish(e);
        Set<UUID> first = ConcurrentHashMap.newKeySet();
        EventSubscription s = bus.subscribeBatch(durable("hook").build(), batch -> batch.forEach(d -> first.add(id(d))));
        Eventually.await("handled", () -> first.contains(e.eventId()));
        s.close();
        assertTrue(bus.removeDurable("hook"));
        assertFalse(bus.removeDurable("hook"));
        Set<UUID> again = ConcurrentHashMap.newKeySet();
        bus.subscribeBatch(durable("hook").build(), batch -> batch.forEach(d -> again.add(id(d))));
        Eventually.await("a new durable of that name starts over", () -> again.contains(e.eventId()));
    }

    @Test
    void aDurableReportsTheEventsItHasNotTakenYet(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        assertTrue(bus.consumer("lagging").isEmpty(), "no such durable yet");
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        SubscriptionOptions options = durable("lagging").eventTypes("rule.*").build();
        EventEnvelope first = event("rule.RuleFired", 0);
        bus.publish(first);
        EventSubscription s = bus.subscribeBatch(options, batch -> batch.forEach(d -> seen.add(id(d))));
        Eventually.await("the first event handled", () -> seen.contains(first.eventId()));
        s.close();
        List<EventEnvelope> behind = List.of(event("rule.RuleFired", 1), event("rule.RuleFired", 2),
                event("rule.RuleFired", 3));
        behind.forEach(bus::publish);
        bus.publish(event("data.EntityCreated", 4)); // not the durable's: no lag of its
        Eventually.await("three events pending for the closed durable",
                () -> bus.consumer("lagging").map(c -> c.pending() == 3 && c.unacknowledged() == 0).orElse(false));
        assertEquals("lagging", bus.consumer("lagging").orElseThrow().consumer());
        bus.subscribeBatch(options, batch -> batch.forEach(d -> seen.add(id(d))));
        Eventually.await("the three handled", () -> behind.stream().allMatch(e -> seen.contains(e.eventId())));
        Eventually.await("nothing pending or unsettled once they are handled",
                () -> bus.consumer("lagging").map(c -> c.pending() == 0 && c.unacknowledged() == 0).orElse(false));
    }

    // ---- reads ---------------------------------------------------------------------------------------

    @Test
    void readsSeeStoredEventsInOrderWithoutConsumingThem(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        assertEquals(0, bus.lastSequence());
        assertEquals(List.of(), bus.newest(5));
        List<EventEnvelope> sent = publishAll(bus, "data.EntityCreated", 5);
        long last = bus.lastSequence();
        List<StoredEvent> all = bus.read(1, 100);
        assertEquals(sent, all.stream().map(StoredEvent::envelope).toList());
        assertEquals(last, all.get(4).sequence());
        List<StoredEvent> newest = bus.newest(2);
        assertEquals(List.of(sent.get(3), sent.get(4)), newest.stream().map(StoredEvent::envelope).toList());
        assertEquals(List.of(sent.get(1)), bus.read(all.get(1).sequence(), 1).stream().map(StoredEvent::envelope).toList());
        assertEquals(List.of(), bus.read(last + 1, 10));
        assertThrows(IllegalArgumentException.class, () -> bus.read(0, 10));
        assertTrue(bus.status().up(), bus.status().detail());
        assertEquals(last, bus.streams().get(0).lastSequence());
        assertEquals(5, bus.streams().get(0).messages());
    }

    @Test
    void replayReadsAWindowByStartTypeAndLimitWithoutConsumingAndCountsMalformedNone(TestDatabase db, TestNats nats)
            throws Exception {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> data = publishAll(bus, "data.EntityCreated", 3);
        List<EventEnvelope> rules = publishAll(bus, "rule.SendFaxRequested", 2);
        long second = bus.read(1, 5).get(1).sequence();
        List<EventEnvelope> seen = new CopyOnWriteArrayList<>();
        ReplayResult all = bus.replay(ReplayOptions.fromSequence(second).build(), e -> seen.add(e.envelope()));
        assertEquals(List.of(data.get(1), data.get(2), rules.get(0), rules.get(1)), seen);
        assertEquals(4, all.delivered());
        assertEquals(0, all.skippedMalformed());
        assertEquals(bus.lastSequence(), all.lastSequence());
        seen.clear();
        bus.replay(ReplayOptions.fromSequence(1).eventTypes("rule.*").limit(1).build(), e -> seen.add(e.envelope()));
        assertEquals(List.of(rules.get(0)), seen, "filtered by type, then cut at the limit");
        seen.clear();
        bus.replay(ReplayOptions.fromTime(data.get(0).timestamp()).build(), e -> seen.add(e.envelope()));
        assertEquals(5, seen.size(), "every event from the first one's time on");
        seen.clear();
        bus.replay(ReplayOptions.fromSequence(bus.lastSequence() + 1).build(), e -> seen.add(e.envelope()));
        assertEquals(List.of(), seen, "nothing after the end");
    }

    @Test
    void aLiveFeedResumesAfterASequenceFiltersByTypeAndEndsWhenItsHandlerThrows(TestDatabase db, TestNats nats) {
        EventBus bus = bus(db, nats);
        List<EventEnvelope> sent = publishAll(bus, "data.EntityCreated", 3);
        long second = bus.read(1, 3).get(1).sequence();
        List<EventEnvelope> resumed = new CopyOnWriteArrayList<>();
        List<Long> sequences = new CopyOnWriteArrayList<>();
        bus.live(LiveFeedOptions.after(second).build(), e -> {
            resumed.add(e.envelope());
            sequences.add(e.sequence());
        });
        List<String> onlyRules = new CopyOnWriteArrayList<>();
        bus.live(LiveFeedOptions.newEventsOnly().eventTypes("rule.*").build(),
                e -> onlyRules.add(e.envelope().eventType()));
        AtomicInteger calls = new AtomicInteger();
        LiveFeed broken = bus.live(LiveFeedOptions.fromStart().build(), e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("client went away");
        });
        EventEnvelope rule = event("rule.RuleFired", 9);
        EventEnvelope data = event("data.EntityUpdated", 10);
        bus.publish(rule);
        bus.publish(data);
        Eventually.await("resumed feed sees the third and the new ones", () -> resumed.size() == 3);
        assertEquals(List.of(sent.get(2), rule, data), resumed);
        assertEquals(sequences.stream().sorted().toList(), sequences, "in sequence order");
        Eventually.await("rule feed", () -> onlyRules.size() == 1);
        assertEquals(List.of("rule.RuleFired"), onlyRules);
        Eventually.await("the throwing feed ended", () -> !broken.isOpen());
        assertEquals(1, calls.get(), "nothing more after the handler threw");
        bus.publish(event("rule.RuleFired", 11)); // the filtered feed still runs; the ended one gets nothing
        Eventually.await("rule feed again", () -> onlyRules.size() == 2);
        assertEquals(1, calls.get());
    }
}
