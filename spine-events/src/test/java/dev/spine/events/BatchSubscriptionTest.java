package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TraceContext;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What only the NATS backend of {@link EventSubscriber#subscribeBatch} must show: restarts, hand-back, headers. */
@ExtendWith(SpineServices.class)
class BatchSubscriptionTest {

    /**
     * After a server restart the pending pull is gone; jnats notices at the pull's expiry (or after missed
     * heartbeats, 30 s and more with its defaults). The 1 s default pull expiry brings it back within seconds
     * (measured here: under 1 s after the publish); with jnats' 30 s pulls this test times out.
     */
    @Test
    void aBatchSubscriptionConsumesAgainSoonAfterTheServerRestarts(@TempDir Path tmp) throws Exception {
        try (PrivateNats nats = PrivateNats.builder(tmp).name("batch-restart").build().start();
                Spine spine = Spine.builder(nats.url()).build()) {
            spine.provision();
            Set<UUID> got = ConcurrentHashMap.newKeySet();
            spine.subscribeBatch(SubscriptionOptions.durable("restart").build(),
                    batch -> batch.forEach(d -> got.add(d.envelope().eventId())));
            EventEnvelope before = TestSpines.event("data.EntityCreated", 1);
            spine.publish(before);
            Eventually.await("consumed before the restart", () -> got.contains(before.eventId()));

            nats.kill();
            Eventually.await("the outage is seen", Duration.ofSeconds(30), () -> !spine.status().up());
            nats.start();
            Eventually.await("reconnected", Duration.ofSeconds(30), () -> spine.status().up());
            EventEnvelope after = TestSpines.event("data.EntityCreated", 2);
            spine.publish(after);
            long published = System.nanoTime();
            Eventually.await("consumed again by itself", Duration.ofSeconds(20), () -> got.contains(after.eventId()));
            System.out.printf("batch restart: consumed %d ms after the publish%n", (System.nanoTime() - published) / 1_000_000);
        }
    }

    /**
     * Close hands back what was received but not handled at once (a nak), so another instance gets it now and
     * not after the 60 s AckWait; the batch the handler was stuck in is handed back too.
     */
    @Test
    void closingHandsBackReceivedEventsForImmediateRedelivery(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        for (int i = 0; i < 5; i++) {
            spine.publish(TestSpines.event("rule.RuleFired", i));
        }
        SubscriptionOptions options = SubscriptionOptions.durable("handback").batchSize(1)
                .ackWait(Duration.ofSeconds(60)).backoff(Duration.ofMillis(10)).stopTimeout(Duration.ofSeconds(1))
                .build();
        CountDownLatch stuck = new CountDownLatch(1);
        EventSubscription first = spine.subscribeBatch(options, batch -> {
            stuck.countDown();
            new CountDownLatch(1).await(); // a handler that never finishes (until close interrupts it)
        });
        assertTrue(stuck.await(10, TimeUnit.SECONDS));
        first.close();
        Set<UUID> again = ConcurrentHashMap.newKeySet();
        spine.subscribeBatch(options, batch -> batch.forEach(d -> again.add(d.envelope().eventId())));
        Eventually.await("all five long before AckWait", Duration.ofSeconds(20), () -> again.size() == 5);
        spine.close();
    }

    /**
     * Closing while events flow: the pull open at the stop is answered in full (by count, not by its expiry), and
     * every event it brought is handled or handed back, none left for the server to redeliver after AckWait.
     */
    @Test
    void closingWhilePullsFillByCountLeavesNoEventWaitingOutAckWait(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        int total = 2000;
        TestSpines.publishMany(spine, "rule.RuleFired", total);
        SubscriptionOptions options = SubscriptionOptions.durable("flowing").batchSize(5).pullSize(20)
                .ackWait(Duration.ofSeconds(60)).build();
        Set<UUID> handled = ConcurrentHashMap.newKeySet();
        CountDownLatch some = new CountDownLatch(200);
        EventSubscription first = spine.subscribeBatch(options, batch -> batch.forEach(d -> {
            handled.add(d.envelope().eventId());
            some.countDown();
        }));
        assertTrue(some.await(10, TimeUnit.SECONDS));
        first.close();
        spine.subscribeBatch(options, batch -> batch.forEach(d -> handled.add(d.envelope().eventId())));
        Eventually.await("all events handled long before AckWait", Duration.ofSeconds(10), () -> handled.size() == total);
        spine.close();
    }

    @Test
    void aPullTheServerEndsWithoutSayingSoHoldsNoBatchBackBeyondItsLife(TestNats nats) throws Exception {
        Duration worst = TestSpines.worstLatencyWhenPullsEndUnannounced(nats, (spine, handle) -> spine.subscribeBatch(
                SubscriptionOptions.durable("lossy").eventTypes("data.*").pullSize(500).build(),
                batch -> batch.forEach(d -> handle.accept(d.envelope()))));
        // before: the job service's ingest (pulls of 1,000 at a few hundred events/s) stalled a second at a time
        assertTrue(worst.toMillis() < 500, "an event waited " + worst.toMillis() + " ms for a pull that had ended");
    }

    @Test
    void aDeliveryReadsHeadersOnDemandAndTheTraceParentFromThem(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        EventEnvelope sent = TestSpines.event("connector.DataReceived", 1).toBuilder()
                .traceContext(new TraceContext(traceparent, null)).build();
        spine.publish(sent);
        List<Delivery> got = new CopyOnWriteArrayList<>();
        spine.subscribeBatch(SubscriptionOptions.durable("headers").build(), got::addAll);
        Eventually.await("delivered", () -> got.size() == 1);
        Delivery d = got.get(0);
        assertEquals(sent.eventId().toString(), d.header("Nats-Msg-Id"));
        assertEquals("connector.DataReceived", d.headers().get("Spine-Event-Type"));
        assertNull(d.header("No-Such-Header"));
        assertEquals(TestSpines.topology(nats).platformStream(), d.stream());
        var parent = TraceContexts.parentOf(W3CTraceContextPropagator.getInstance(), d, sent);
        assertEquals("0af7651916cd43dd8448eb211c80319c", Span.fromContext(parent).getSpanContext().getTraceId());
        spine.close();
    }

    /**
     * The pulls ask for {@code pullSize} events (read off the JetStream API subject they travel on), so a small
     * one is renewed by count; a bad one is refused naming the field.
     */
    @Test
    void aBatchSubscriptionPullsThePullSizeItWasGiven(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        String stream = TestSpines.topology(nats).platformStream();
        List<String> pulls = new CopyOnWriteArrayList<>();
        io.nats.client.Connection watcher = nats.connect();
        io.nats.client.Dispatcher d = watcher.createDispatcher(m -> pulls.add(new String(m.getData(), StandardCharsets.UTF_8)));
        d.subscribe("$JS.API.CONSUMER.MSG.NEXT." + stream + ".small");
        d.subscribe("$JS.API.CONSUMER.MSG.NEXT." + stream + ".default");
        watcher.flush(Duration.ofSeconds(5));
        Set<UUID> got = ConcurrentHashMap.newKeySet();
        spine.subscribeBatch(SubscriptionOptions.durable("small").pullSize(16).build(),
                batch -> batch.forEach(x -> got.add(x.envelope().eventId())));
        spine.subscribeBatch(SubscriptionOptions.durable("default").batchSize(50).build(), batch -> { });
        for (int i = 0; i < 40; i++) {
            spine.publish(TestSpines.event("rule.RuleFired", i));
        }
        Eventually.await("all 40 through pulls of 16", () -> got.size() == 40);
        Eventually.await("both subscriptions pulled", () -> pulls.stream().anyMatch(p -> p.contains("\"batch\":16"))
                && pulls.stream().anyMatch(p -> p.contains("\"batch\":256")));
        assertTrue(pulls.stream().noneMatch(p -> p.matches(".*\"batch\":(\\d{3,}).*") && !p.contains("\"batch\":256")),
                "no pull asked for more than its size: " + pulls);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> SubscriptionOptions.durable("bad").pullSize(-1).build());
        assertTrue(bad.getMessage().startsWith("pullSize"), bad.getMessage());
        watcher.close();
        spine.close();
    }

    /** What a broken client sends reaches a batch handler as raw bytes; decoding is the handler's choice. */
    @Test
    void undecodableBytesAreDeliveredRawForTheHandlerToRecordAndTerm(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        byte[] broken = "{\"eventType\": \"data.EntityCreated\", \"data\": \"trunc".getBytes(StandardCharsets.UTF_8);
        long seq = spine.publishUnchecked("data.EntityCreated", broken);
        List<Delivery> got = new CopyOnWriteArrayList<>();
        List<InvalidEventException> errors = new CopyOnWriteArrayList<>();
        spine.subscribeBatch(SubscriptionOptions.durable("materializer").build(), batch -> {
            for (Delivery d : batch) {
                got.add(d);
                try {
                    d.envelope();
                } catch (InvalidEventException e) {
                    errors.add(e);
                    d.term("recorded as rejected");
                }
            }
        });
        Eventually.await("delivered and terminated", () -> got.size() == 1 && got.get(0).isSettled());
        assertArrayEquals(broken, got.get(0).data());
        assertEquals(seq, got.get(0).sequence());
        assertEquals(1, errors.size());
        assertTrue(got.get(0).isSettled());
        assertEquals(0, spine.deadLetters().list(10).size(), "a term is not a dead letter");
        spine.close();
    }

    @Test
    void aSpineBuiltFromConnectionSettingsOwnsItsConnectionAndCanDeleteItsStreams(TestNats nats) {
        StreamTopology topology = TestSpines.topology(nats);
        try (Spine spine = Spine.builder(NatsConnections.builder(nats.url()).build(), "settings-test")
                .topology(topology).build()) {
            spine.provision();
            spine.publish(TestSpines.event("system.MarkerSent", 1));
            assertTrue(spine.status().up());
            assertEquals(List.of(true, true, true, true), spine.streams().stream().map(StreamStats::exists).toList());
            assertEquals(1, spine.streams().get(0).messages());
            spine.deleteStreams();
            assertEquals(List.of(false, false, false, false),
                    spine.streams().stream().map(StreamStats::exists).toList());
        }
    }
}
