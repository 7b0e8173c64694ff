package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.*;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublisher;
import dev.spine.events.PublishResult;
import dev.spine.events.ReplayOptions;
import dev.spine.events.Spine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class OutboxRelayTest {
    private static final int KEYS = 8;

    /**
     * Writers commit (and roll back) events while two relays run; the leader is killed mid-batch (its
     * PostgreSQL session is terminated after it published part of a batch and before it marked it), then
     * restarted as a new instance beside the other. Every committed event is on the stream exactly once,
     * in commit order per key, the killed batch's re-sends were dropped as duplicates, and no event of a
     * rolled-back transaction was published.
     */
    @Test
    void killedRelayAndTwoRelaysPublishEveryCommittedEventOnceInOrderPerKey(TestDatabase db, TestNats nats)
            throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();

        // relay A terminates its own PostgreSQL session on its 40th publish: mid-way through its 2nd batch
        AtomicBoolean killed = new AtomicBoolean();
        EventPublisher killingA = counting(spine, duplicates, n -> {
            if (n == 40 && killed.compareAndSet(false, true)) {
                terminateSession(db, "spine-outbox-relay/A");
            }
        });
        OutboxRelay a = relay(db, killingA, "A");
        OutboxRelay b = relay(db, counting(spine, duplicates, n -> { }), "B");
        a.start();
        Eventually.await("A leads", a::isLeader);
        b.start();

        int writers = 3;
        int txPerWriter = 60;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; i < txPerWriter; i++) {
                    write(outbox, writer, i, committed, rolledBack);
                }
            });
            t.start();
            threads.add(t);
        }
        Eventually.await("relay A killed mid-batch", killed::get);
        Eventually.await("A lost leadership", () -> !a.isLeader() || b.isLeader());
        a.close(); // the killed process is gone; a new instance starts in its place
        OutboxRelay a2 = relay(db, counting(spine, duplicates, n -> { }), "A2");
        a2.start();
        for (Thread t : threads) {
            t.join();
        }
        Eventually.await("outbox drained", () -> db.queryLong("select count(*) from " + db.schema()
                + ".outbox where sent_at is null") == 0);
        a2.close();
        b.close();

        List<EventEnvelope> stream = readStream(spine);
        assertEquals(committed.get(), db.queryLong("select count(*) from " + db.schema() + ".outbox"));
        assertEquals(committed.get(), stream.size(), "every committed event stored once, none twice");
        Set<UUID> ids = new HashSet<>();
        stream.forEach(e -> assertTrue(ids.add(e.eventId()), "stored twice: " + e));
        assertTrue(duplicates.get() > 0, "the killed batch was re-sent and deduplicated by the stream");
        rolledBack.forEach(id -> assertFalse(ids.contains(id), "rolled-back event " + id + " was published"));
        assertFalse(rolledBack.isEmpty());
        assertEquals(commitOrderPerKey(db), streamOrderPerKey(stream), "order per key kept");
        stream.forEach(e -> assertEquals(e.data().get("key").asText(), e.partitionKey(), "the key is stamped"));
    }

    /** One transaction: 1-3 events for one key; every 7th transaction rolls back. */
    private static void write(Outbox outbox, int writer, int i, AtomicInteger committed, Set<UUID> rolledBack) {
        String key = "order-" + ((writer * 31 + i) % KEYS);
        int events = 1 + i % 3;
        boolean rollBack = i % 7 == 6;
        List<UUID> added = new ArrayList<>();
        try {
            outbox.transaction(tx -> {
                for (int n = 0; n < events; n++) {
                    EventEnvelope e = EventEnvelope.builder().eventType("data.EntityUpdated").source("writer-" + writer)
                            .data(JsonNodeFactory.instance.objectNode().put("key", key)).build();
                    tx.add(e, key);
                    added.add(e.eventId());
                }
                if (rollBack) {
                    throw new IllegalStateException("business rule failed");
                }
                return null;
            });
            committed.addAndGet(events);
        } catch (IllegalStateException expected) {
            rolledBack.addAll(added);
        }
    }

    @Test
    void aFailedPublishIsRetriedWithBackoffAndHoldsBackLaterEventsOfItsKeyOnly(TestDatabase db, TestNats nats) {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        EventEnvelope first = event("k1");
        EventEnvelope second = event("k1");
        EventEnvelope other = event("k2");
        outbox.transaction(tx -> {
            tx.add(first, "k1");
            tx.add(second, "k1");
            tx.add(other, "k2");
            return null;
        });
        Set<UUID> failOnce = ConcurrentHashMap.newKeySet();
        failOnce.add(first.eventId());
        List<UUID> sent = new ArrayList<>();
        EventPublisher flaky = new EventPublisher() {
            @Override
            public PublishResult publish(EventEnvelope event) {
                return publishAsync(event).join();
            }

            @Override
            public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
                if (failOnce.remove(event.eventId())) {
                    return CompletableFuture.failedFuture(new IllegalStateException("NATS unavailable"));
                }
                synchronized (sent) {
                    sent.add(event.eventId());
                }
                return spine.publishAsync(event);
            }
        };
        SettableClock clock = new SettableClock();
        MetricRegistry metrics = new MetricRegistry();
        OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), flaky).schema(db.schema()).clock(clock)
                .initialBackoff(Duration.ofSeconds(10)).metricRegistry(metrics).build();
        try {
            assertEquals(2, relay.runOnce(), "first (fails) and other; second waits behind first");
            assertEquals(List.of(other.eventId()), sent);
            assertEquals(0, relay.runOnce(), "nothing due before the backoff ends");
            clock.advance(Duration.ofSeconds(11));
            relay.runOnce();
            assertTrue(relay.lag().compareTo(Duration.ofSeconds(10)) > 0, "lag counts the wait: " + relay.lag());
            assertEquals(List.of(other.eventId(), first.eventId(), second.eventId()), sent);
            assertEquals(0, relay.runOnce());
            assertEquals(0.0, ((Gauge<?>) metrics.getGauges().get("spine.outbox.lag_seconds")).getValue());
            assertEquals(1L, metrics.counter("spine.outbox.publish_failed").getCount());
            assertEquals(3L, metrics.counter("spine.outbox.published").getCount());
            assertEquals(1L, db.queryLong("select attempts from " + db.schema() + ".outbox where event_id = '"
                    + first.eventId() + "'"));
        } finally {
            relay.close();
        }
        assertEquals(List.of(other.eventId(), first.eventId(), second.eventId()),
                readStream(spine).stream().map(EventEnvelope::eventId).toList());
    }

    /** A key stuck behind a failed event, with more rows than a batch, must not starve the keys behind it. */
    @Test
    void aStuckKeyLongerThanABatchDoesNotHoldBackOtherKeys(TestDatabase db, TestNats nats) {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        List<EventEnvelope> stuck = List.of(event("a"), event("a"), event("a"));
        EventEnvelope other = event("b");
        outbox.transaction(tx -> {
            stuck.forEach(e -> tx.add(e, "a"));
            tx.add(other, "b");
            return null;
        });
        Set<UUID> failing = ConcurrentHashMap.newKeySet();
        failing.add(stuck.get(0).eventId());
        EventPublisher flaky = new EventPublisher() {
            @Override
            public PublishResult publish(EventEnvelope event) {
                return publishAsync(event).join();
            }

            @Override
            public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
                return failing.contains(event.eventId())
                        ? CompletableFuture.failedFuture(new IllegalStateException("refused"))
                        : spine.publishAsync(event);
            }
        };
        SettableClock clock = new SettableClock();
        try (OutboxRelay relay = OutboxRelay.builder(db.newDataSource(2), flaky).schema(db.schema()).batchSize(2)
                .clock(clock).build()) {
            relay.runOnce(); // a1 fails; a2 waits behind it
            assertEquals(1, relay.runOnce(), "b goes out although a's rows fill a whole batch");
            assertEquals(List.of(other.eventId()), readStream(spine).stream().map(EventEnvelope::eventId).toList());
            failing.clear();
            clock.advance(Duration.ofMinutes(1));
            while (relay.runOnce() > 0) {
                // drain: a1, a2, a3 in order
            }
        }
        assertEquals(List.of(other.eventId(), stuck.get(0).eventId(), stuck.get(1).eventId(), stuck.get(2).eventId()),
                readStream(spine).stream().map(EventEnvelope::eventId).toList());
    }

    @Test
    void immediateModePublishesAtCommitAndLeavesFailuresToTheRelay(TestDatabase db, TestNats nats) {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox immediate = Outbox.builder(db.dataSource()).schema(db.schema()).domains(spine.topology().domains())
                .immediatePublisher(spine).build();
        EventEnvelope e1 = event("k");
        EventEnvelope e2 = event("k");
        immediate.transaction(tx -> {
            tx.add(e1, "k");
            tx.add(e2, "k");
            return null;
        });
        assertEquals(List.of(e1.eventId(), e2.eventId()), readStream(spine).stream().map(EventEnvelope::eventId).toList(),
                "published before transaction() returned, with no relay running");
        assertEquals(0, db.queryLong("select count(*) from " + db.schema() + ".outbox where sent_at is null"));

        EventPublisher down = new EventPublisher() {
            @Override
            public PublishResult publish(EventEnvelope event) {
                throw new IllegalStateException("NATS unavailable");
            }

            @Override
            public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
                return CompletableFuture.failedFuture(new IllegalStateException("NATS unavailable"));
            }
        };
        Outbox broken = Outbox.builder(db.dataSource()).schema(db.schema()).domains(spine.topology().domains())
                .immediatePublisher(down).build();
        EventEnvelope e3 = event("k");
        broken.transaction(tx -> {
            tx.add(e3, "k");
            return null;
        });
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".outbox where sent_at is null"));
        try (OutboxRelay relay = relay(db, spine, "net")) {
            assertEquals(1, relay.runOnce());
        }
        assertEquals(List.of(e1.eventId(), e2.eventId(), e3.eventId()),
                readStream(spine).stream().map(EventEnvelope::eventId).toList());
    }

    /**
     * Two transactions of one key in immediate mode: the first is still publishing when the second
     * commits; the second must not overtake it, so it leaves its event to the relay.
     */
    @Test
    void immediateModeNeverOvertakesAnEarlierEventOfTheSameKey(TestDatabase db, TestNats nats) throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        EventEnvelope e1 = event("k");
        EventEnvelope e2 = event("k");
        java.util.concurrent.CountDownLatch firstPublishing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releaseFirst = new java.util.concurrent.CountDownLatch(1);
        EventPublisher gated = new EventPublisher() {
            @Override
            public PublishResult publish(EventEnvelope event) {
                return publishAsync(event).join();
            }

            @Override
            public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
                if (event.eventId().equals(e1.eventId())) {
                    firstPublishing.countDown();
                    try {
                        assertTrue(releaseFirst.await(10, java.util.concurrent.TimeUnit.SECONDS));
                    } catch (InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                }
                return spine.publishAsync(event);
            }
        };
        Outbox outbox = Outbox.builder(db.dataSource()).schema(db.schema()).domains(spine.topology().domains())
                .immediatePublisher(gated).build();
        Thread first = new Thread(() -> outbox.transaction(tx -> {
            tx.add(e1, "k");
            return null;
        }));
        first.start();
        assertTrue(firstPublishing.await(10, java.util.concurrent.TimeUnit.SECONDS));
        outbox.transaction(tx -> {
            tx.add(e2, "k");
            return null;
        });
        assertEquals(List.of(), readStream(spine), "the second transaction did not publish ahead of the first");
        releaseFirst.countDown();
        first.join();
        try (OutboxRelay relay = relay(db, spine, "net")) {
            assertEquals(1, relay.runOnce(), "the relay sends what immediate mode left");
        }
        assertEquals(List.of(e1.eventId(), e2.eventId()), readStream(spine).stream().map(EventEnvelope::eventId).toList());
    }

    @Test
    void invalidEventsFailInTheCallersTransactionAndOptionsNameTheField(TestDatabase db, TestNats nats) throws Exception {
        Spine spine = OutboxFixtures.provisioned(nats);
        Outbox outbox = OutboxFixtures.outbox(db, spine);
        EventEnvelope unknownDomain = EventEnvelope.builder().eventType("billing.InvoicePaid").source("x")
                .data(JsonNodeFactory.instance.objectNode()).build();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            var e = assertThrows(dev.spine.contracts.InvalidEventException.class, () -> outbox.add(c, unknownDomain));
            assertEquals(dev.spine.contracts.InvalidEventException.Code.UNKNOWN_DOMAIN, e.code());
            EventEnvelope badEmail = EventEnvelope.builder().eventType("communication.EmailSendRequested").source("x")
                    .data(JsonNodeFactory.instance.objectNode().put("to", "nobody").put("subject", "Hi")).build();
            var s = assertThrows(dev.spine.contracts.InvalidEventException.class, () -> outbox.add(c, badEmail));
            assertEquals("data.to", s.field());
            c.rollback();
        }
        try (Connection c = db.dataSource().getConnection()) {
            EventEnvelope keyed = event("k").toBuilder().partitionKey("a").build();
            assertTrue(assertThrows(IllegalArgumentException.class, () -> outbox.add(c, keyed, "b")).getMessage()
                    .startsWith("partitionKey"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Outbox.builder(db.dataSource()).schema("Bad-Name")
                .build()).getMessage().startsWith("schema"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OutboxRelay.builder(db.dataSource(), spine)
                .batchSize(0).build()).getMessage().startsWith("batchSize"));
    }

    static EventEnvelope event(String key) {
        return EventEnvelope.builder().eventType("data.EntityUpdated").source("test")
                .data(JsonNodeFactory.instance.objectNode().put("key", key)).build();
    }

    static OutboxRelay relay(TestDatabase db, EventPublisher publisher, String name) {
        return OutboxRelay.builder(db.newDataSource(2), publisher).schema(db.schema()).name(name).batchSize(25)
                .pollInterval(Duration.ofMillis(10)).standbyInterval(Duration.ofMillis(50)).build();
    }

    /** Forwards to the spine, counting publish calls (and calling {@code onCall} with the count) and duplicates. */
    private static EventPublisher counting(Spine spine, AtomicInteger duplicates, java.util.function.IntConsumer onCall) {
        AtomicInteger calls = new AtomicInteger();
        return new EventPublisher() {
            @Override
            public PublishResult publish(EventEnvelope event) {
                return publishAsync(event).join();
            }

            @Override
            public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
                onCall.accept(calls.incrementAndGet());
                return spine.publishAsync(event).thenApply(r -> {
                    if (r.duplicate()) {
                        duplicates.incrementAndGet();
                    }
                    return r;
                });
            }
        };
    }

    private static void terminateSession(TestDatabase db, String applicationName) {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement p = c.prepareStatement(
                     "select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?")) {
            p.setString(1, applicationName);
            try (ResultSet rs = p.executeQuery()) {
                assertTrue(rs.next(), "no session named " + applicationName);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<EventEnvelope> readStream(Spine spine) {
        List<EventEnvelope> out = new ArrayList<>();
        spine.replay(ReplayOptions.fromSequence(1).idleTimeout(Duration.ofMillis(300)).build(),
                e -> out.add(e.envelope()));
        return out;
    }

    private static Map<String, List<UUID>> commitOrderPerKey(TestDatabase db) throws SQLException {
        Map<String, List<UUID>> order = new LinkedHashMap<>();
        DataSource ds = db.dataSource();
        try (Connection c = ds.getConnection(); PreparedStatement p = c.prepareStatement(
                "select partition_key, event_id from " + db.schema() + ".outbox order by id");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                order.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getObject(2, UUID.class));
            }
        }
        return new HashMap<>(order);
    }

    private static Map<String, List<UUID>> streamOrderPerKey(List<EventEnvelope> stream) {
        Map<String, List<UUID>> order = new HashMap<>();
        stream.forEach(e -> order.computeIfAbsent(e.data().get("key").asText(), k -> new ArrayList<>()).add(e.eventId()));
        return order;
    }
}
