package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.UnservedType;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job service with no handler for a routed job type (no plug-ins): the events still become jobs, and the
 * jobs wait, unspent, for a process that serves their type, here a worker-only process of another service.
 * (They used to fail their attempts with "no handler registered" and all end dead within a second.)
 */
@ExtendWith(SpineServices.class)
class UnservedJobsTest {
    static final int EVENTS = 200;

    @Test
    void routedJobsWithoutAHandlerWaitUnspentUntilAWorkerProcessServesThem(TestDatabase db, TestNats nats) {
        AtomicInteger ran = new AtomicInteger();
        try (JobService service = JobService.builder(ServiceFixture.config(db, nats, Map.of())).discoverHandlers(false)
                .build().start();
                Spine publisher = ServiceFixture.publisher(nats, service.config())) {
            for (int i = 0; i < EVENTS; i++) {
                publisher.publish(ServiceFixture.event("connector.DataReceived", i));
            }
            JobQueue jobs = service.jobs();
            Eventually.await("every event became a job", () -> jobs.unservedTypes()
                    .equals(List.of(new UnservedType("background", "ProcessIncomingDataJob", EVENTS))));
            String schema = db.schema();
            assertEquals(EVENTS, db.queryLong("select count(*) from " + schema + ".job where state = 0 and attempt = 0 "
                    + "and errors is null"), "waiting, no attempt used, no error");
            assertEquals(0, db.queryLong("select count(*) from " + schema + ".dead_job"), "none dead-lettered");

            // the connector service's own worker process: its handler, the same schema and tier, no events
            try (JobQueue connector = JobQueue.builder(db.dataSource()).schema(schema)
                    .handler("ProcessIncomingDataJob", job -> ran.incrementAndGet()).work("background", 2).build()) {
                connector.start();
                Eventually.await("the worker process ran them", () -> db.queryLong("select count(*) from " + schema
                        + ".job_archive where state = 'completed' and attempt = 1") == EVENTS);
                assertTrue(jobs.unservedTypes().isEmpty());
            }
            assertEquals(EVENTS, ran.get(), "each ran once");
            assertEquals(0, db.queryLong("select count(*) from " + schema + ".dead_job"));
        }
    }
}
