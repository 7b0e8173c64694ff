package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.EventPublishException;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A row the broker refuses every time is dead-lettered after its attempts (at once when the refusal is for
 * good), the later events of its key go on, and a retry, once the cause is fixed, publishes it exactly once.
 */
@ExtendWith(SpineServices.class)
class OutboxDeadLetterTest {

    @Test
    void aRowNoStreamTakesIsDeadLetteredAfterItsAttemptsTheKeyGoesOnAndARetryPublishesItOnce(TestDatabase db,
            TestNats nats) throws Exception {
        Spine provisioned = OutboxFixtures.provisioned(nats); // streams capture the default domains only
        // the writing service knows a domain the streams do not capture yet: its subject has no stream
        StreamTopology withBilling = StreamTopology.builder().streamNamePrefix(nats.prefix() + "-")
                .subjectPrefix(nats.prefix() + ".").domains(provisioned.topology().domains().with("billing")).build();
        Spine spine = Spine.builder(nats.connect()).topology(withBilling).publishTimeout(Duration.ofMillis(500)).build();
        Outbox outbox = Outbox.builder(db.dataSource()).schema(db.schema()).domains(withBilling.domains())
                .schemas(EventSchemas.fromClasspath()).build();
        EventEnvelope poison = event("billing.InvoicePaid", "order-1");
        EventEnvelope next = event("data.EntityUpdated", "order-1");
        outbox.transaction(tx -> {
            tx.add(poison, "order-1");
            return null;
        });
        SettableClock clock = new SettableClock();
        MetricRegistry metrics = new MetricRegistry();
        OutboxDeadLetters dead = OutboxDeadLetters.in(db.dataSource(), db.schema());
        try (OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), spine).schema(db.schema()).clock(clock)
                .maxAttempts(2).initialBackoff(Duration.ofSeconds(1)).metricRegistry(metrics).build()) {
            assertEquals(1, relay.runOnce(), "attempt 1 of the poison row");
            assertEquals(List.of(), dead.list(Long.MAX_VALUE, 10), "not dead before its last attempt");
            outbox.transaction(tx -> {
                tx.add(next, "order-1");
                return null;
            });
            assertEquals(0, relay.runOnce(), "the next event of the key waits behind the poison row's backoff");
            clock.advance(Duration.ofMinutes(1));
            // a key's next row is sent only after its previous row's answer (OutboxKeyOrderTest): the poison row's
            // last attempt fails and dead-letters it, and the next event goes in the following pass
            assertEquals(1, relay.runOnce(), "the poison row's last attempt; the next event waits for its answer");
            assertEquals(1, relay.runOnce(), "the next event, once the poison row is a dead letter");

            List<OutboxDeadLetter> letters = dead.list(Long.MAX_VALUE, 10);
            assertEquals(1, letters.size());
            OutboxDeadLetter letter = letters.get(0);
            assertEquals(poison.eventId(), letter.eventId());
            assertEquals("order-1", letter.partitionKey());
            assertEquals(2, letter.attempts());
            assertFalse(letter.permanent(), "no stream yet is not a refusal for good");
            assertTrue(letter.lastError().contains(EventPublishException.Reason.UNAVAILABLE.name()), letter.lastError());
            assertEquals(1L, metrics.counter("spine.outbox.dead_lettered").getCount());
            assertEquals(List.of(next.eventId()), ids(spine), "the next event of the key went on");
            assertEquals(0, relay.runOnce(), "nothing left: the dead letter is out of the outbox");

            spine.provision(); // the cause fixed: the stream now captures billing.*
            OptionalLong back = dead.retry(letter.id());
            assertTrue(back.isPresent());
            assertTrue(back.getAsLong() > letter.outboxId(), "back as the newest row of its key");
            assertEquals(List.of(), dead.list(Long.MAX_VALUE, 10));
            assertTrue(dead.retry(letter.id()).isEmpty(), "a dead letter is retried once");
            assertEquals(1, relay.runOnce());
            assertEquals(0, relay.runOnce());
        }
        assertEquals(List.of(next.eventId(), poison.eventId()), ids(spine), "published once, after the gap it named");
    }

    @Test
    void aRowThatIsNoValidEnvelopeIsDeadLetteredAtOnceAndCanBeDeleted(TestDatabase db, TestNats nats) throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        EventEnvelope after = event("data.EntityUpdated", "k");
        try (Connection c = db.dataSource().getConnection(); PreparedStatement p = c.prepareStatement("insert into "
                + db.schema() + ".outbox (event_id, event_type, partition_key, payload) values (?, 'data.EntityUpdated', 'k', ?)")) {
            p.setObject(1, UUID.randomUUID());
            p.setBytes(2, "{\"truncated".getBytes());
            p.executeUpdate();
        }
        outbox.transaction(tx -> {
            tx.add(after, "k");
            return null;
        });
        OutboxDeadLetters dead = OutboxDeadLetters.in(db.dataSource(), db.schema());
        try (OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), spine).schema(db.schema()).build()) {
            relay.runOnce();
            OutboxDeadLetter letter = dead.list(Long.MAX_VALUE, 10).get(0);
            assertTrue(letter.permanent());
            assertEquals(1, letter.attempts(), "refused for good: no second attempt");
            relay.runOnce();
            assertEquals(List.of(after.eventId()), ids(spine));
            assertEquals(1, dead.count());
            assertTrue(dead.delete(letter.id()));
            assertFalse(dead.delete(letter.id()));
            assertEquals(0, dead.count());
        }
        assertFalse(OutboxDeadLetters.in(db.dataSource(), "no_outbox_here").exists());
        assertEquals(List.of(), OutboxDeadLetters.in(db.dataSource(), "no_outbox_here").list(Long.MAX_VALUE, 5));
    }

    private static EventEnvelope event(String type, String key) {
        return EventEnvelope.builder().eventType(type).source("test")
                .data(JsonNodeFactory.instance.objectNode().put("key", key)).build();
    }

    private static List<UUID> ids(Spine spine) {
        return OutboxRelayTest.readStream(spine).stream().map(EventEnvelope::eventId).toList();
    }
}
