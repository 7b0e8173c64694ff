package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TcpProxy;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.api.ConsumerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class SubscriberTest {

    @Test
    void envelopeFromAPlainNatsClientIsConsumedAndDecoded(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        String id = UUID.randomUUID().toString();
        String json = "{\"eventId\":\"" + id + "\",\"eventType\":\"connector.DataReceived\",\"eventVersion\":\"1.0\","
                + "\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"node-gw\",\"correlationId\":\"" + id + "\","
                + "\"data\":{\"temp\":21}}";
        Connection plain = nats.connect();
        plain.publish(nats.prefix() + ".connector.DataReceived", json.getBytes(StandardCharsets.UTF_8));
        plain.flush(Duration.ofSeconds(2));

        CountDownLatch got = new CountDownLatch(1);
        List<ReceivedEvent> seen = new ArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("ingest").build(), e -> {
            seen.add(e);
            got.countDown();
        });
        assertTrue(got.await(10, TimeUnit.SECONDS));
        ReceivedEvent e = seen.get(0);
        assertEquals(UUID.fromString(id), e.envelope().eventId());
        assertEquals("node-gw", e.envelope().source());
        assertEquals(21, e.envelope().data().get("temp").asInt());
        assertEquals(1, e.streamSequence());
        assertEquals(1, e.deliveredCount());
        Eventually.await("acked", () -> ackPending(spine, "ingest") == 0 && spine.topology() != null);
    }

    @Test
    void competingInstancesSplitTheLoadWithoutProcessingAnyEventTwice(TestNats nats) throws Exception {
        Spine publisher = TestSpines.provisioned(nats);
        int total = 600;
        Map<UUID, String> processedBy = new ConcurrentHashMap<>();
        AtomicInteger doubles = new AtomicInteger();
        SubscriptionOptions shared = SubscriptionOptions.durable("indexer").batchSize(10).build();
        Spine a = Spine.builder(nats.connect()).topology(publisher.topology()).build();
        Spine b = Spine.builder(nats.connect()).topology(publisher.topology()).build();
        a.subscribe(shared, e -> record(processedBy, doubles, e, "a"));
        b.subscribe(shared, e -> record(processedBy, doubles, e, "b"));
        TestSpines.publishMany(publisher, "data.EntityCreated", total);
        Eventually.await("all events processed", () -> processedBy.size() == total);
        a.close();
        b.close();
        assertEquals(0, doubles.get(), "no event was processed by two instances");
        long byA = processedBy.values().stream().filter("a"::equals).count();
        assertTrue(byA > 0 && byA < total, "both instances took part, a handled " + byA);
    }

    /**
     * A pull request reaches the server later than the client starts counting its expiry (a busy or distant
     * link), so the server still sends events to it after the client's side of that pull has ended. Those
     * events are handled at once, not held by the server until AckWait runs out. Here the link from this
     * subscriber to the server takes 300 ms, so every pull's last 300 ms are such a window; events go out
     * every 20 ms across several pulls' expiries.
     */
    @Test
    void eventsSentToAPullTheClientHasStoppedCountingStillArriveAtOnce(TestNats nats) throws Exception {
        Spine publisher = TestSpines.provisioned(nats);
        java.net.URI server = java.net.URI.create(nats.url());
        try (TcpProxy slowLink = TcpProxy.delaying(server.getHost(), server.getPort(), Duration.ofMillis(300));
                Connection far = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                        .server("nats://127.0.0.1:" + slowLink.port()).build());
                Spine subscriber = Spine.builder(far).topology(publisher.topology()).build()) {
            int total = 200; // 4 s at one per 20 ms: four pull expiries
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            subscriber.subscribe(SubscriptionOptions.durable("far").eventTypes("data.*").ackWait(Duration.ofSeconds(60))
                    .build(), e -> seen.add(e.envelope().data().get("n").asInt()));
            for (int i = 0; i < total; i++) {
                publisher.publish(TestSpines.event("data.EntityCreated", i));
                Thread.sleep(20); // the publishing rate of the scenario, not synchronisation
            }
            // the slow link adds 300 ms; an event lost to a finished pull would come back only after AckWait (60 s)
            Eventually.await("every event handled within seconds, none waiting out AckWait", Duration.ofSeconds(5),
                    () -> seen.size() == total);
        }
    }

    @Test
    void aPullTheServerEndsWithoutSayingSoHoldsNoEventBackBeyondItsLife(TestNats nats) throws Exception {
        Duration worst = TestSpines.worstLatencyWhenPullsEndUnannounced(nats, (spine, handle) -> spine.subscribe(
                SubscriptionOptions.durable("lossy").eventTypes("data.*").pullSize(500).build(),
                e -> handle.accept(e.envelope())));
        // before: the iterator waited a pull's whole life (1 s) after its last event for a 408 that never came
        assertTrue(worst.toMillis() < 500, "an event waited " + worst.toMillis() + " ms for a pull that had ended");
    }

    private static void record(Map<UUID, String> processedBy, AtomicInteger doubles, ReceivedEvent e, String who)
            throws InterruptedException {
        if (processedBy.putIfAbsent(e.envelope().eventId(), who) != null) {
            doubles.incrementAndGet();
        }
        Thread.sleep(1); // stands in for work so that both instances get a share, not for synchronisation
    }

    @Test
    void eachDurableReceivesEveryEventAndFiltersSelectByType(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        Set<UUID> audit = ConcurrentHashMap.newKeySet();
        Set<UUID> rules = ConcurrentHashMap.newKeySet();
        Set<UUID> exact = ConcurrentHashMap.newKeySet();
        spine.subscribe(SubscriptionOptions.durable("auditor").build(), e -> audit.add(e.envelope().eventId()));
        spine.subscribe(SubscriptionOptions.durable("rules").eventTypes("communication.*").build(),
                e -> rules.add(e.envelope().eventId()));
        spine.subscribe(SubscriptionOptions.durable("sms").eventTypes("communication.SmsReceived").build(),
                e -> exact.add(e.envelope().eventId()));
        Set<UUID> comms = new HashSet<>();
        Set<UUID> sms = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            EventEnvelope e = TestSpines.event(i % 3 == 0 ? "communication.SmsReceived"
                    : i % 3 == 1 ? "communication.EmailReceived" : "data.EntityUpdated", i);
            if (i % 3 != 2) {
                comms.add(e.eventId());
            }
            if (i % 3 == 0) {
                sms.add(e.eventId());
            }
            spine.publish(e);
        }
        Eventually.await("fan-out complete", () -> audit.size() == 30 && rules.size() == 20 && exact.size() == 10);
        assertEquals(comms, rules);
        assertEquals(sms, exact);
    }

    @Test
    void failedEventIsRedeliveredAfterBackoffThenAcked(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        List<Long> deliveries = new ArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("flaky").maxDeliver(5).backoff(Duration.ofMillis(50)).build(), e -> {
            synchronized (deliveries) {
                deliveries.add(e.deliveredCount());
            }
            if (e.deliveredCount() < 3) {
                throw new IllegalStateException("transient failure " + e.deliveredCount());
            }
        });
        spine.publish(TestSpines.event("rule.RuleFired", 1));
        Eventually.await("third delivery succeeds", () -> {
            synchronized (deliveries) {
                return deliveries.size() == 3;
            }
        });
        Eventually.await("acked", () -> ackPending(spine, "flaky") == 0);
        assertEquals(List.of(1L, 2L, 3L), deliveries);
        assertTrue(spine.deadLetters().list(10).isEmpty());
    }

    @Test
    void longHandlerIsKeptAliveInsteadOfRedelivered(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch neverReleased = new CountDownLatch(1);
        spine.subscribe(SubscriptionOptions.durable("slow").ackWait(Duration.ofSeconds(1)).build(), e -> {
            calls.incrementAndGet();
            // simulated work three times longer than AckWait
            assertFalse(neverReleased.await(3, TimeUnit.SECONDS));
        });
        spine.publish(TestSpines.event("ai.QueryReceived", 1));
        Eventually.await("handled and acked", () -> calls.get() >= 1 && ackPending(spine, "slow") == 0
                && spine.topology() != null);
        ConsumerInfo info = nats.connect().getStreamContext(spine.topology().platformStream()).getConsumerInfo("slow");
        assertEquals(1, calls.get(), "in-progress acks kept the server from redelivering");
        assertEquals(1, info.getDelivered().getStreamSequence());
        assertEquals(1, info.getDelivered().getConsumerSequence(), "a redelivery would raise the consumer sequence");
    }

    @Test
    void closeFinishesInFlightEventsSoNothingIsLostOrProcessedTwice(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        int total = 300;
        TestSpines.publishMany(spine, "job.Completed", total);
        Map<UUID, Integer> times = new ConcurrentHashMap<>();
        CountDownLatch someDone = new CountDownLatch(50);
        SubscriptionOptions opts = SubscriptionOptions.durable("closer").batchSize(100).build();
        EventSubscription first = spine.subscribe(opts, e -> {
            times.merge(e.envelope().eventId(), 1, Integer::sum);
            someDone.countDown();
        });
        assertTrue(someDone.await(10, TimeUnit.SECONDS));
        first.close();
        int afterClose = times.size();
        assertEquals(first.handledCount(), afterClose);
        EventSubscription second = spine.subscribe(opts, e -> times.merge(e.envelope().eventId(), 1, Integer::sum));
        Eventually.await("the rest handled by the next instance", () -> times.size() == total);
        second.close();
        assertTrue(times.values().stream().allMatch(n -> n == 1), "every event handled exactly once");
        assertEquals(total, first.handledCount() + second.handledCount());
    }

    @Test
    void severalPatternsNeedServer210(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        SubscriptionOptions two = SubscriptionOptions.durable("multi").eventTypes("ai.*", "rule.*").build();
        if (nats.connect().getServerInfo().isOlderThanVersion("2.10.0")) {
            SpineException e = assertThrows(SpineException.class, () -> spine.subscribe(two, x -> { }));
            assertTrue(e.getMessage().contains("2.10"), e.getMessage());
        } else {
            assertNotNull(spine.subscribe(two, x -> { }));
        }
    }

    @Test
    void aNewDurableStartsAtTheGivenSequenceHoweverLateItIsCreated(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        List<UUID> published = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < 4; i++) {
            EventEnvelope e = TestSpines.event("communication.SmsReceived", i);
            PublishResult r = spine.publish(e);
            published.add(e.eventId());
            if (i == 2) {
                start = r.sequence(); // the position a subscription made before event 2 would have recorded
            }
        }
        List<UUID> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("late").startSequence(start).build(),
                e -> seen.add(e.envelope().eventId()));
        Eventually.await("the events from the start sequence on", () -> seen.size() >= 2);
        assertEquals(published.subList(2, 4), seen, "from its start sequence, nothing before it");
    }

    @Test
    void optionsValidateNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SubscriptionOptions.durable("a.b").build())
                .getMessage().startsWith("durableName"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SubscriptionOptions.durable("x").eventTypes("connector.>").build()).getMessage().startsWith("eventTypes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SubscriptionOptions.durable("x").maxDeliver(0).build())
                .getMessage().startsWith("maxDeliver"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SubscriptionOptions.durable("x").backoff().build())
                .getMessage().startsWith("backoff"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SubscriptionOptions.durable("x").startSequence(-1).build())
                .getMessage().startsWith("startSequence"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SubscriptionOptions.durable("x").startSequence(5).newEventsOnly(true).build())
                .getMessage().startsWith("startSequence"));
        SubscriptionOptions o = SubscriptionOptions.durable("x").backoff(Duration.ofSeconds(1), Duration.ofSeconds(7)).build();
        assertEquals(Duration.ofSeconds(1), o.backoffAfter(1));
        assertEquals(Duration.ofSeconds(7), o.backoffAfter(2));
        assertEquals(Duration.ofSeconds(7), o.backoffAfter(9));
    }

    static long ackPending(Spine spine, String durable) {
        try {
            ConsumerInfo info = spine.connection().getStreamContext(spine.topology().platformStream())
                    .getConsumerInfo(durable);
            return info.getNumAckPending() + info.getNumPending();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
