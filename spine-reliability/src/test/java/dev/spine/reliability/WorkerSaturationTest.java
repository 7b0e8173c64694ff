package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.jobs.QueueOptions;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStreamManagement;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Every worker of the pool hangs while thousands of 4 KB events arrive: the job service keeps at most
 * {@code SPINE_MAX_ACK_PENDING} events in flight, runs at most its workers' number of jobs and claims at
 * most the room of its fetchers and of direct dispatch beyond them; the backlog
 * waits in PostgreSQL, not in the heap (heap after GC grows by far less than the events' bytes). Once the
 * workers are freed every job runs. Isolated: no other test shares the JVM while the heap is measured.
 */
@Isolated
@ExtendWith(SpineServices.class)
class WorkerSaturationTest {
    static final int EVENTS = 6000;
    static final int BATCH_SIZE = 100;
    static final int DATA_BYTES = 4096;
    static final int WORKERS = 2;
    static final int MAX_ACK_PENDING = 300;

    @Test
    void aSaturatedPoolKeepsInFlightAndHeapBoundedAndTheBacklogInPostgres(TestDatabase db, TestNats nats)
            throws Exception {
        Ledger ledger = new Ledger("worker saturation");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        ServerConfig config = Fixture.config(db.url(), db.schema(), nats.url(), nats.prefix(), Map.of(
                "SPINE_WORKERS_BACKGROUND", String.valueOf(WORKERS),
                "SPINE_MAX_ACK_PENDING", String.valueOf(MAX_ACK_PENDING),
                "SPINE_BATCH_SIZE", String.valueOf(BATCH_SIZE)));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                .handler(Fixture.JOB_TYPE, job -> {
                    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await(); // the whole pool hangs until the backlog has built up
                    } finally {
                        running.decrementAndGet();
                    }
                    ledger.run(job);
                }).build().start();
             Spine publisher = Spine.builder(nats.connect()).topology(config.engine().topology()).build()) {
            JetStreamManagement jsm = nats.connect().jetStreamManagement();
            String stream = config.engine().topology().platformStream();
            AtomicLong mostAckPending = new AtomicLong();
            sampler.scheduleAtFixedRate(() -> {
                try {
                    mostAckPending.accumulateAndGet(
                            jsm.getConsumerInfo(stream, config.engine().ingest().consumer()).getNumAckPending(), Math::max);
                } catch (Exception e) {
                    // a missed sample
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            long heapBefore = heapAfterGc();

            String blob = "x".repeat(DATA_BYTES);
            for (int i = 0; i < EVENTS; i++) {
                ledger.publishAsync(publisher, EventEnvelope.builder().eventType(Fixture.EVENT_TYPE).source("reliability")
                        .data(JsonNodeFactory.instance.objectNode().put("n", i).put("blob", blob)).build());
            }
            ledger.awaitSettled(Duration.ofSeconds(60));
            String jobs = "select count(*) from " + db.schema() + ".job";
            Eventually.await("every event is a job waiting in PostgreSQL", Duration.ofMinutes(2),
                    () -> db.queryLong(jobs) == EVENTS);
            long heapSaturated = heapAfterGc();
            long runningInDb = db.queryLong(jobs + " where state = 1");
            long growth = heapSaturated - heapBefore;
            System.out.printf("worker saturation: %d events of %d B; jobs running %d (db %d), waiting %d; most "
                    + "ack-pending %d (limit %d); heap after GC %d MB -> %d MB (+%d MB; the events are %d MB)%n",
                    EVENTS, DATA_BYTES, running.get(), runningInDb, db.queryLong(jobs + " where state = 0"),
                    mostAckPending.get(), MAX_ACK_PENDING, heapBefore >> 20, heapSaturated >> 20, growth >> 20,
                    ((long) EVENTS * DATA_BYTES) >> 20);
            assertEquals(WORKERS, mostRunning.get(), "no more jobs run at once than there are workers");
            // claimed = running + the room of the queue's fetchers + its direct-dispatch room (spine-jobs
            // QueueWorker; the job service gives each tier two ingest batches of it), whatever the backlog
            QueueOptions queue = QueueOptions.of("background", WORKERS).dispatchRoom(2 * BATCH_SIZE);
            int claimable = queue.concurrency() + queue.fetchSize() * queue.fetchers() + queue.dispatchRoom();
            assertTrue(runningInDb <= claimable, "claimed jobs bounded by " + claimable + ": " + runningInDb);
            assertTrue(mostAckPending.get() <= MAX_ACK_PENDING, "in-flight events bounded: " + mostAckPending.get());
            assertTrue(growth < (long) EVENTS * DATA_BYTES / 2,
                    "the backlog is not held in memory: heap grew " + growth + " bytes");

            release.countDown();
            Eventually.await("every job runs once the workers are free", Duration.ofMinutes(2),
                    () -> ledger.distinctRuns() == EVENTS);
            Ledger.Counts counts = ledger.count(service.engine().dataSource(), config.engine().postgres().schema());
            assertEquals(0, counts.lost());
            assertEquals(0, counts.duplicated());
            assertEquals(EVENTS, counts.ran());
        } finally {
            release.countDown();
            sampler.shutdownNow();
        }
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
