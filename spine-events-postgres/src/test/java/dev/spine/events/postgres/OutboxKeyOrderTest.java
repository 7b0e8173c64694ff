package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublishException;
import dev.spine.events.EventPublisher;
import dev.spine.events.PublishResult;
import dev.spine.events.Spine;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A refusal that comes back late (asynchronously, after the relay moved on) must not let a later row of the same
 * key be stored first: the relay sends a key's next row only after its previous row's ack. The race is forced,
 * not waited for: {@link LateRefusals} keeps a chosen row's ack pending until the relay hands over the next row
 * (of any key), and records every row handed over while an earlier row of its key was still unanswered.
 */
@ExtendWith(SpineServices.class)
class OutboxKeyOrderTest {

    @Test
    void aLateTransientRefusalHoldsBackTheLaterRowsOfItsKeyWhileOtherKeysGoOn(TestDatabase db, TestNats nats)
            throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        EventEnvelope a1 = event("a");
        EventEnvelope b1 = event("b");
        EventEnvelope a2 = event("a");
        commit(outbox, a1, b1, a2);
        LateRefusals publisher = new LateRefusals(spine);
        publisher.refuseLate(a1.eventId(), EventPublishException.Reason.UNAVAILABLE);
        SettableClock clock = new SettableClock();
        try (OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), publisher).schema(db.schema()).clock(clock)
                .initialBackoff(Duration.ofSeconds(10)).build()) {
            assertEquals(2, relay.runOnce(), "a1 (refused late) and b1 in flight together; a2 not sent behind a1");
            assertEquals(List.of(b1.eventId()), ids(spine));
            assertEquals(0, relay.runOnce(), "a1 waits out its backoff and a2 behind it");
            clock.advance(Duration.ofSeconds(11));
            assertEquals(2, relay.runOnce(), "a1 again, then a2 once a1's ack came");
            assertEquals(0, relay.runOnce());
        }
        assertEquals(List.of(), publisher.overtakes(), "no row was sent while an earlier row of its key was unanswered");
        assertEquals(List.of(b1.eventId(), a1.eventId(), a2.eventId()), ids(spine), "key a in commit order");
    }

    @Test
    void aLatePermanentRefusalDeadLettersTheRowAndTheKeyGoesOnWithTheGapItNames(TestDatabase db, TestNats nats)
            throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        EventEnvelope refused = event("k");
        EventEnvelope next = event("k");
        commit(outbox, refused, next);
        LateRefusals publisher = new LateRefusals(spine);
        publisher.refuseLate(refused.eventId(), EventPublishException.Reason.REJECTED);
        OutboxDeadLetters dead = OutboxDeadLetters.in(db.dataSource(), db.schema());
        try (OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), publisher).schema(db.schema()).build()) {
            assertEquals(1, relay.runOnce(), "the refused row only: the next one waits for its answer");
            assertEquals(List.of(), ids(spine), "nothing of key k overtook the refused row");
            List<OutboxDeadLetter> letters = dead.list(Long.MAX_VALUE, 10);
            assertEquals(1, letters.size(), "refused for good: dead at once");
            OutboxDeadLetter letter = letters.get(0);
            assertEquals(refused.eventId(), letter.eventId());
            assertTrue(letter.permanent());
            assertEquals(1, relay.runOnce(), "then the key goes on without it");
            assertEquals(List.of(next.eventId()), ids(spine));
            long nextOutboxId = db.queryLong("select id from " + db.schema() + ".outbox where event_id = '"
                    + next.eventId() + "'");
            assertTrue(letter.outboxId() < nextOutboxId, "the dead letter names the gap: it belonged before "
                    + nextOutboxId + ", was " + letter.outboxId());

            OptionalLong back = dead.retry(letter.id());
            assertTrue(back.isPresent());
            assertEquals(1, relay.runOnce(), "a retry publishes it once, after the events that went on");
            assertEquals(0, relay.runOnce());
        }
        assertEquals(List.of(), publisher.overtakes());
        assertEquals(List.of(next.eventId(), refused.eventId()), ids(spine));
    }

    /** One transaction, each event under the partition key in its data. */
    private static void commit(Outbox outbox, EventEnvelope... events) {
        outbox.transaction(tx -> {
            for (EventEnvelope e : events) {
                tx.add(e, e.data().path("key").asText());
            }
            return null;
        });
    }

    private static EventEnvelope event(String key) {
        return EventEnvelope.builder().eventType("data.EntityUpdated").source("test")
                .data(JsonNodeFactory.instance.objectNode().put("key", key)).build();
    }

    private static List<UUID> ids(Spine spine) {
        return OutboxRelayTest.readStream(spine).stream().map(EventEnvelope::eventId).toList();
    }

    /**
     * The real spine, except that a chosen event's first publish is answered late with a refusal: its future stays
     * pending until the next publish of any row (the relay has moved on), then fails; a relay that sends nothing
     * more gets the refusal after {@link #FALLBACK_MILLIS}. Records the rows handed over while an earlier row of
     * the same partition key (the envelope's {@code data.key}) was still unanswered.
     */
    private static final class LateRefusals implements EventPublisher {
        private static final long FALLBACK_MILLIS = 500;
        private final Spine spine;
        private final Map<UUID, EventPublishException.Reason> toRefuse = new HashMap<>();
        private final Map<String, CompletableFuture<PublishResult>> lastByKey = new HashMap<>();
        private final List<UUID> overtakes = new ArrayList<>();
        private Runnable refuseNow = () -> {};

        LateRefusals(Spine spine) {
            this.spine = spine;
        }

        synchronized void refuseLate(UUID eventId, EventPublishException.Reason reason) {
            toRefuse.put(eventId, reason);
        }

        synchronized List<UUID> overtakes() {
            return List.copyOf(overtakes);
        }

        @Override
        public PublishResult publish(EventEnvelope event) {
            return publishAsync(event).join();
        }

        @Override
        public synchronized CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
            String key = event.data().path("key").asText();
            CompletableFuture<PublishResult> earlier = lastByKey.get(key);
            if (earlier != null && !earlier.isDone()) {
                overtakes.add(event.eventId());
            }
            Runnable pendingRefusal = refuseNow;
            refuseNow = () -> {};
            CompletableFuture<PublishResult> ack;
            EventPublishException.Reason reason = toRefuse.remove(event.eventId());
            if (reason == null) {
                ack = spine.publishAsync(event);
            } else {
                CompletableFuture<PublishResult> late = new CompletableFuture<>();
                EventPublishException refusal = new EventPublishException(reason, event.eventId().toString(),
                        "refused late by the test", null);
                refuseNow = () -> late.completeExceptionally(refusal);
                CompletableFuture.delayedExecutor(FALLBACK_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(() -> late.completeExceptionally(refusal));
                ack = late;
            }
            lastByKey.put(key, ack);
            pendingRefusal.run(); // after this row was handed over: the earlier refusal arrives late
            return ack;
        }
    }
}
