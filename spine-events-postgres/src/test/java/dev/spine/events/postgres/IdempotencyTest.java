package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventHandler;
import dev.spine.events.Spine;
import dev.spine.events.SubscriptionOptions;
import dev.spine.events.middleware.EventHistory;
import dev.spine.events.middleware.HandlerChain;
import dev.spine.events.middleware.Middleware;
import dev.spine.events.middleware.ProcessingLog.Claim;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class IdempotencyTest {

    /**
     * The handler succeeds but the acknowledgement is lost (the delivery fails after the handler, as when
     * the process dies before acking): NATS redelivers, and the processing log keeps the handler from
     * running a second time; the redelivery is acknowledged.
     */
    @Test
    void aRedeliveredEventRunsItsHandlerOnce(TestDatabase db, TestNats nats) {
        Spine spine = OutboxFixtures.provisioned(nats);
        PostgresProcessingLog log = PostgresProcessingLog.create(db.dataSource(), db.schema());
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger deliveries = new AtomicInteger();
        EventHandler handler = HandlerChain.of(e -> runs.incrementAndGet())
                .use(next -> e -> {
                    deliveries.incrementAndGet();
                    next.handle(e);
                    if (e.deliveredCount() == 1) {
                        throw new IllegalStateException("crashed before the ack");
                    }
                })
                .use(Middleware.idempotency("mailer", log))
                .build();
        spine.subscribe(SubscriptionOptions.durable("mailer").backoff(Duration.ofMillis(20)).build(), handler);
        spine.publish(OutboxRelayTest.event("k"));
        Eventually.await("redelivered and acknowledged", () -> deliveries.get() == 2 && ackPending(spine, "mailer") == 0);
        assertEquals(1, runs.get(), "the handler ran once for two deliveries");
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".processing_log where state = 'done'"));
    }

    /** Two instances, events carrying the same business key twice under different eventIds: one run per key. */
    @Test
    void aHandlerChosenKeyRunsOnceAcrossInstances(TestDatabase db, TestNats nats) {
        Spine publisher = OutboxFixtures.provisioned(nats);
        PostgresProcessingLog log = PostgresProcessingLog.create(db.dataSource(), db.schema());
        Map<String, AtomicInteger> runsPerOrder = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        SubscriptionOptions shared = SubscriptionOptions.durable("billing").batchSize(10).backoff(Duration.ofMillis(20))
                .build();
        for (int instance = 0; instance < 2; instance++) {
            Spine s = Spine.builder(nats.connect()).topology(publisher.topology()).build();
            s.subscribe(shared, HandlerChain.of(e -> {
                runsPerOrder.computeIfAbsent(e.envelope().data().get("orderId").asText(), k -> new AtomicInteger())
                        .incrementAndGet();
            }).use(next -> e -> {
                next.handle(e);
                handled.incrementAndGet();
            }).use(Middleware.idempotency("billing", log, e -> e.envelope().data().get("orderId").asText(),
                    Duration.ofMinutes(1))).build());
        }
        int orders = 40;
        for (int copy = 0; copy < 2; copy++) {
            for (int i = 0; i < orders; i++) {
                publisher.publishAsync(EventEnvelope.builder().eventType("data.EntityCreated").source("shop")
                        .data(JsonNodeFactory.instance.objectNode().put("orderId", "o-" + i)).build());
            }
        }
        Eventually.await("every event handled", () -> handled.get() == 2 * orders);
        assertEquals(orders, runsPerOrder.size());
        runsPerOrder.forEach((order, n) -> assertEquals(1, n.get(), order + " ran " + n.get() + " times"));
    }

    @Test
    void aLiveClaimHoldsOffOthersUntilItsLeaseEnds(TestDatabase db) {
        PostgresProcessingLog log = PostgresProcessingLog.create(db.dataSource(), db.schema());
        assertEquals(Claim.STARTED, log.tryStart("h", "k", Duration.ofMillis(200)));
        assertEquals(Claim.IN_PROGRESS, log.tryStart("h", "k", Duration.ofMillis(200)));
        assertEquals(Claim.STARTED, log.tryStart("other-handler", "k", Duration.ofMinutes(1)), "keys are per handler");
        Eventually.await("the expired lease is taken over", () -> log.tryStart("h", "k", Duration.ofMinutes(1)) == Claim.STARTED);
        log.complete("h", "k");
        assertEquals(Claim.ALREADY_DONE, log.tryStart("h", "k", Duration.ofMinutes(1)));
        log.release("other-handler", "k");
        assertEquals(Claim.STARTED, log.tryStart("other-handler", "k", Duration.ofMinutes(1)), "released, so free again");
        assertEquals(1, log.forgetDoneBefore(Instant.now().plusSeconds(60)));
        assertEquals(Claim.STARTED, log.tryStart("h", "k", Duration.ofMinutes(1)), "forgotten keys run again");
    }

    @Test
    void historyRecordsEveryDeliveryOfAHandler(TestDatabase db, TestNats nats) {
        Spine spine = OutboxFixtures.provisioned(nats);
        PostgresEventHistory history = PostgresEventHistory.create(db.dataSource(), db.schema());
        AtomicInteger calls = new AtomicInteger();
        spine.subscribe(SubscriptionOptions.durable("audit").backoff(Duration.ofMillis(20)).build(),
                HandlerChain.of(e -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("first delivery fails");
                    }
                }).use(Middleware.history("audit", history)).build());
        EventEnvelope e = OutboxRelayTest.event("k");
        spine.publish(e);
        Eventually.await("two deliveries recorded", () -> db.queryLong("select count(*) from " + db.schema()
                + ".event_history where event_id = '" + e.eventId() + "'") == 2);
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".event_history where outcome = '"
                + EventHistory.Outcome.FAILED + "' and error like '%first delivery fails%' and delivered_count = 1"));
        assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".event_history where outcome = '"
                + EventHistory.Outcome.SUCCEEDED + "' and delivered_count = 2"));
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
