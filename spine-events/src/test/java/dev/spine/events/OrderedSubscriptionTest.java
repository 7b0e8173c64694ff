package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class OrderedSubscriptionTest {

    private static EventEnvelope keyed(String type, int n, String key) {
        return TestSpines.event(type, n).toBuilder().partitionKey(key).build();
    }

    @Test
    void aFailureIsRetriedInPlaceSoLaterEventsOfItsKeyWaitBehindIt(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicBoolean failedOnce = new AtomicBoolean();
        List<Long> deliveriesOfFive = new CopyOnWriteArrayList<>();
        spine.subscribe(SubscriptionOptions.durable("ordered").orderedByPartitionKey(3).backoff(Duration.ofMillis(30))
                .build(), e -> {
                    int n = e.envelope().data().get("n").asInt();
                    if (n == 5) {
                        deliveriesOfFive.add(e.deliveredCount());
                        if (failedOnce.compareAndSet(false, true)) {
                            throw new IllegalStateException("transient failure of event 5");
                        }
                    }
                    seen.computeIfAbsent(e.envelope().partitionKey(), k -> new CopyOnWriteArrayList<>()).add(n);
                });
        Map<String, List<Integer>> sent = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "order-" + (i % 4);
            spine.publish(keyed(i % 2 == 0 ? "data.EntityCreated" : "data.EntityUpdated", i, key));
            sent.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        Eventually.await("all handled", () -> seen.values().stream().mapToInt(List::size).sum() == 60
                && SubscriberTest.ackPending(spine, "ordered") == 0);
        assertEquals(sent, seen, "per key in stream order, the failed event included");
        assertEquals(List.of(1L, 2L), deliveriesOfFive, "retried in place as delivery 2");
    }

    @Test
    void aSlowKeyDoesNotHoldBackTheOthers(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowStarted = new CountDownLatch(1);
        List<String> done = new CopyOnWriteArrayList<>();
        // "slow" and "fast" must land on different lanes: with 2 lanes, pick keys whose hashes differ in parity
        String slow = "slow";
        String fast = Math.floorMod("fast".hashCode(), 2) != Math.floorMod(slow.hashCode(), 2) ? "fast" : "quick";
        assertNotEquals(Math.floorMod(slow.hashCode(), 2), Math.floorMod(fast.hashCode(), 2));
        spine.subscribe(SubscriptionOptions.durable("lanes").orderedByPartitionKey(2).build(), e -> {
            if (slow.equals(e.envelope().partitionKey())) {
                slowStarted.countDown();
                assertTrue(release.await(10, TimeUnit.SECONDS));
            }
            done.add(e.envelope().partitionKey() + ":" + e.envelope().data().get("n").asInt());
        });
        spine.publish(keyed("rule.RuleFired", 0, slow));
        spine.publish(keyed("rule.RuleFired", 1, slow));
        for (int i = 2; i < 6; i++) {
            spine.publish(keyed("rule.RuleFired", i, fast));
        }
        assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
        Eventually.await("the other key's events handled while the slow key is busy", () -> done.size() == 4);
        assertEquals(List.of(fast + ":2", fast + ":3", fast + ":4", fast + ":5"), done);
        release.countDown();
        Eventually.await("slow key finished in order", () -> done.size() == 6);
        assertEquals(List.of(slow + ":0", slow + ":1"), done.subList(4, 6));
    }

    @Test
    void lanesAreValidated() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SubscriptionOptions.durable("x").orderedByPartitionKey(65).build()).getMessage()
                .startsWith("orderedByPartitionKey"));
    }
}
