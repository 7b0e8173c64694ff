package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ingest's priority lanes: an event routed to a tier with a latency target is committed by its domain's
 * lane while the main consumer is stuck on a background batch, and it still becomes exactly one job.
 */
@ExtendWith(SpineServices.class)
class PriorityLanesTest {
    private static final String ROUTES = """
            routes:
              - match: data.EntityCreated
                job: IndexDocumentJob
                queue: background
              - match: communication.*
                job: RunRuleEngineJob
                queue: realtime
            """;

    @Test
    void aRealtimeEventRunsWhileTheMainConsumerIsHeldOnABackgroundBatch(TestDatabase db, TestNats nats) throws Exception {
        AtomicInteger realtime = new AtomicInteger();
        AtomicInteger background = new AtomicInteger();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats,
                        Map.of(IngestSettings.PRIORITY_LANES, "true"))).discoverHandlers(false)
                .routes(RoutingTable.parse(ROUTES, "t"))
                .handler("IndexDocumentJob", job -> background.incrementAndGet())
                .handler("RunRuleEngineJob", job -> realtime.incrementAndGet()).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            // the main consumer's first batch (the background event) is committed, then held before its ack
            service.commitHook(batch -> {
                if (first.getAndSet(false)) {
                    held.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            publisher.publish(ServiceFixture.event("data.EntityCreated", 1));
            assertTrue(held.await(30, TimeUnit.SECONDS), "the main consumer took the background event");
            publisher.publish(ServiceFixture.event("communication.MessageReceived", 2));
            Eventually.await("the realtime event's job ran while the main consumer is held", () -> realtime.get() == 1);
            release.countDown();
            // the main consumer then sees the realtime event too, and leaves its job to the lane
            Eventually.await("the main consumer caught up",
                    () -> service.metrics().counter("spine.events.delivered").getCount() == 2);
            Eventually.await("the background job ran", () -> background.get() == 1);
            assertEquals(1, realtime.get(), "one job per route and event, whichever consumer saw it");
            assertEquals(1, service.metrics().counter("spine.ingest.jobs_materialized").getCount(),
                    "the main consumer made only the background job");
            assertEquals(0, service.metrics().counter("spine.ingest.unrouted").getCount(), "the lane's event is not unrouted");
        }
    }

    @Test
    void withoutLanesTheMainConsumerMakesEveryJob(TestDatabase db, TestNats nats) {
        AtomicInteger ran = new AtomicInteger();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats,
                        Map.of(IngestSettings.PRIORITY_LANES, "false"))).discoverHandlers(false)
                .routes(RoutingTable.parse(ROUTES, "t"))
                .handler("IndexDocumentJob", job -> ran.incrementAndGet())
                .handler("RunRuleEngineJob", job -> ran.incrementAndGet()).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            publisher.publish(ServiceFixture.event("data.EntityCreated", 1));
            publisher.publish(ServiceFixture.event("communication.MessageReceived", 2));
            Eventually.await("both jobs ran", () -> ran.get() == 2);
            assertEquals(2, service.metrics().counter("spine.ingest.jobs_materialized").getCount());
        }
    }
}
