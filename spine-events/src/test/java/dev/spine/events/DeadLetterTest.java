package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class DeadLetterTest {

    @Test
    void poisonEventIsDeadLetteredAfterMaxDeliveriesAndCanBeRepublished(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        EventEnvelope poison = TestSpines.event("connector.DataReceived", 666);
        EventEnvelope good = TestSpines.event("connector.DataReceived", 1);
        Map<UUID, Integer> calls = new ConcurrentHashMap<>();
        AtomicBoolean healed = new AtomicBoolean();
        spine.subscribe(SubscriptionOptions.durable("ingest").maxDeliver(3).backoff(Duration.ofMillis(20))
                .ackWait(Duration.ofSeconds(2)).build(), e -> {
                    calls.merge(e.envelope().eventId(), 1, Integer::sum);
                    if (e.envelope().eventId().equals(poison.eventId()) && !healed.get()) {
                        throw new IllegalArgumentException("cannot parse reading \u00e9");
                    }
                });
        spine.publish(poison);
        spine.publish(good);

        List<DeadLetter> dead = Eventually.awaitValue("poison dead-lettered", Duration.ofSeconds(20),
                () -> spine.deadLetters().list(10), l -> l.size() == 1);
        DeadLetter dl = dead.get(0);
        assertEquals(3, calls.get(poison.eventId()), "delivered exactly maxDeliver times");
        assertEquals(1, calls.get(good.eventId()));
        assertEquals("max-deliveries", dl.reason());
        assertEquals(3, dl.deliveries());
        assertEquals("ingest", dl.consumer());
        assertEquals(nats.prefix() + ".connector.DataReceived", dl.originalSubject());
        assertEquals(spine.topology().platformStream(), dl.originalStream());
        assertEquals(1, dl.originalSequence());
        assertTrue(dl.error().contains("IllegalArgumentException: cannot parse reading"), dl.error());
        assertEquals(poison.eventId().toString(), dl.originalMessageId());
        assertEquals(List.of("connector.DataReceived"), dl.headers().get("Spine-Event-Type"));
        assertEquals(poison, spine.codec().decode(dl.payload()));
        Eventually.await("terminated, not pending", () -> SubscriberTest.ackPending(spine, "ingest") == 0);

        healed.set(true);
        PublishResult again = spine.deadLetters().republish(dl);
        assertFalse(again.duplicate());
        Eventually.await("republished event handled", () -> calls.get(poison.eventId()) == 4);
        assertTrue(spine.deadLetters().list(10).isEmpty(), "republish removes the dead letter");
    }

    @Test
    void eventNeverAcknowledgedByACrashedInstanceIsDeadLetteredFromTheAdvisory(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        SubscriptionOptions opts = SubscriptionOptions.durable("crashy").eventTypes("system.Crashed").maxDeliver(2)
                .ackWait(Duration.ofSeconds(1)).build();
        // this instance creates the durable, then stops handling; its spine keeps the backstop listening
        spine.subscribe(opts, e -> { }).close();
        EventEnvelope poison = TestSpines.event("system.Crashed", 1);
        spine.publish(poison);

        // a sibling instance that takes each delivery and dies before acking (never acks)
        var crashed = nats.connect().getStreamContext(spine.topology().platformStream()).getConsumerContext("crashy");
        for (int delivery = 1; delivery <= 2; delivery++) {
            try (var fetch = crashed.fetch(io.nats.client.FetchConsumeOptions.builder().maxMessages(1)
                    .expiresIn(5000).build())) {
                io.nats.client.Message m = fetch.nextMessage();
                assertNotNull(m, "delivery " + delivery);
                assertEquals(delivery, m.metaData().deliveredCount());
            }
        }
        // a later pull (any live instance) finds the event exhausted: JetStream announces it now
        try (var fetch = crashed.fetch(io.nats.client.FetchConsumeOptions.builder().maxMessages(1)
                .expiresIn(2500).build())) {
            assertNull(fetch.nextMessage(), "no third delivery beyond maxDeliver");
        }
        DeadLetter dl = Eventually.awaitValue("advisory turned into a dead letter", Duration.ofSeconds(15),
                () -> spine.deadLetters().list(10), l -> l.size() == 1).get(0);
        assertEquals("max-deliveries-unacked", dl.reason());
        assertEquals(2, dl.deliveries());
        assertEquals("crashy", dl.consumer());
        assertEquals(poison, spine.codec().decode(dl.payload()));
        assertEquals(poison.eventId().toString(), dl.originalMessageId());
        spine.close();
    }

    @Test
    void malformedEventIsDeadLetteredOnFirstDelivery(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        Connection plain = nats.connect();
        plain.publish(nats.prefix() + ".data.EntityCreated", "{\"eventId\":42}".getBytes(StandardCharsets.UTF_8));
        plain.flush(Duration.ofSeconds(2));
        Map<UUID, Integer> calls = new ConcurrentHashMap<>();
        spine.subscribe(SubscriptionOptions.durable("strict").build(), e -> calls.merge(e.envelope().eventId(), 1, Integer::sum));
        DeadLetter dl = Eventually.awaitValue("malformed dead-lettered", Duration.ofSeconds(10),
                () -> spine.deadLetters().list(10), l -> l.size() == 1).get(0);
        assertEquals("malformed", dl.reason());
        assertEquals(1, dl.deliveries());
        assertTrue(dl.error().contains("INVALID_FIELD [eventId]"), dl.error());
        assertEquals("{\"eventId\":42}", new String(dl.payload(), StandardCharsets.UTF_8));
        assertTrue(calls.isEmpty(), "the handler never saw it");
        spine.deadLetters().delete(dl);
        assertTrue(spine.deadLetters().list(10).isEmpty());
    }
}
