package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.ReplayOptions;
import dev.spine.events.Spine;
import dev.spine.jobs.JobInfo;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class HandlersAndLifecycleTest {

    @Test
    void handlersArePluggedInWithServiceLoader(TestDatabase db, TestNats nats) {
        int before = PluginHandler.RUNS.get();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of())).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            publisher.publish(ServiceFixture.event("data.EtlOutputProduced", 1));
            Eventually.await("the plug-in ran WriteEntityJob", () -> PluginHandler.RUNS.get() == before + 1);
        }
    }

    @Test
    void lifecycleEventsCarryTheCorrelationIdAndAreNotFedBackIntoJobs(TestDatabase db, TestNats nats) throws Exception {
        Instant start = Instant.now();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of("SPINE_LIFECYCLE_EVENTS", "true")))
                .discoverHandlers(false).handler("IndexDocumentJob", job -> { }).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            EventEnvelope e = ServiceFixture.event("data.EntityCreated", 1);
            publisher.publish(e);
            List<EventEnvelope> lifecycle = new ArrayList<>();
            Eventually.await("job.Enqueued and job.Completed published", () -> {
                lifecycle.clear();
                publisher.replay(ReplayOptions.fromTime(start).eventTypes("job.*").idleTimeout(Duration.ofMillis(200))
                        .build(), r -> lifecycle.add(r.envelope()));
                return lifecycle.stream().map(EventEnvelope::eventType).toList().containsAll(List.of("job.Enqueued", "job.Completed"));
            });
            assertTrue(lifecycle.stream().allMatch(l -> l.correlationId().equals(e.correlationId())), lifecycle.toString());
            assertEquals(e.eventId(), lifecycle.stream().filter(l -> l.eventType().equals("job.Enqueued")).findFirst()
                    .orElseThrow().causationId());
            List<JobInfo> jobs = service.jobs().findByCorrelationId(e.correlationId().toString(), 10);
            assertEquals(1, jobs.size(), "job.* events made no jobs: " + jobs);
        }
    }

    @Test
    void anOpenBreakerHoldsJobsBackWithoutUsingAttemptsThenAProbeClosesIt(TestDatabase db, TestNats nats) {
        AtomicBoolean broken = new AtomicBoolean(true);
        AtomicInteger calls = new AtomicInteger();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of(
                        "SPINE_BREAKER_FAILURES", "50", "SPINE_BREAKER_OPEN_FOR", "1s")))
                .discoverHandlers(false)
                .handler("IndexDocumentJob", job -> {
                    calls.incrementAndGet();
                    if (broken.get()) {
                        throw new IllegalStateException("search cluster down");
                    }
                }).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            for (int i = 0; i < 30; i++) {
                publisher.publish(ServiceFixture.event("data.EntityCreated", i));
            }
            Eventually.await("the breaker opened", () -> "OPEN".equals(service.breakerStates().get("IndexDocumentJob")));
            int callsWhenOpened = calls.get();
            assertTrue(callsWhenOpened >= 10 && callsWhenOpened < 30 * 5, "it opened after the window filled: " + callsWhenOpened);
            broken.set(false);
            Eventually.await("half-open probes succeeded and every job completed", Duration.ofSeconds(60), () ->
                    db.queryLong("select count(*) from " + db.schema() + ".job_archive where state = 'completed'") == 30);
            assertEquals("CLOSED", service.breakerStates().get("IndexDocumentJob"));
            assertEquals(0, service.jobs().deadJobs(null, null, 100).size(), "held-back jobs used no attempts to death");
        }
    }
}
