package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublisher;
import dev.spine.events.Spine;
import dev.spine.jobs.Job;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The soak run, off by default: {@code -Dspine.soak=true} (or {@code SPINE_SOAK=1}) runs it,
 * {@code -Dspine.soak.minutes=N} changes its length (default 10). A steady {@value #RATE} events/s through
 * the job service into jobs that run; every 10 s it samples the heap after GC and the queue depth (events
 * not yet acknowledged by the service plus jobs waiting). Passes when both stay flat: the last third's
 * highest heap is within {@value #HEAP_SLACK_MB} MB of the first third's, the depth never builds up beyond a
 * few seconds of load, and every event became exactly one job that ran.
 */
@Isolated
@ExtendWith(SpineServices.class)
@EnabledIf("soakRequested")
class SoakTest {
    static final int RATE = 200;
    static final int HEAP_SLACK_MB = 32;
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

    static boolean soakRequested() {
        return Boolean.getBoolean("spine.soak") || "1".equals(System.getenv("SPINE_SOAK"))
                || "true".equalsIgnoreCase(System.getenv("SPINE_SOAK"));
    }

    /**
     * What was published and ran, by event number in bit sets: unlike {@link Ledger} it keeps no envelope or
     * id per event (only the reported ones), so the test's own bookkeeping does not grow the heap it measures.
     */
    static final class Tally {
        /** The event number in the job payload (jsonb prints a space after the colon). */
        private static final Pattern NUMBER = Pattern.compile("\"n\":\\s*(\\d+)");
        private final BitSet acked = new BitSet();
        private final BitSet ran = new BitSet();
        private final AtomicInteger published = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        final AtomicInteger reported = new AtomicInteger();
        final AtomicInteger reruns = new AtomicInteger();
        private final Map<Integer, EventEnvelope> toRetry = new ConcurrentHashMap<>();

        void publishAsync(EventPublisher publisher, int n) {
            EventEnvelope event = Fixture.event(n);
            published.incrementAndGet();
            try {
                publisher.publishAsync(event).whenComplete((r, error) -> settle(n, event, error));
            } catch (RuntimeException e) {
                settle(n, event, e);
            }
        }

        private void settle(int n, EventEnvelope event, Throwable error) {
            if (error == null) {
                synchronized (acked) {
                    acked.set(n);
                }
            } else {
                reported.incrementAndGet();
                toRetry.put(n, event);
            }
            settled.incrementAndGet();
        }

        boolean settled() {
            return settled.get() == published.get();
        }

        void retryReported(EventPublisher publisher) {
            for (var e : toRetry.entrySet()) {
                publisher.publish(e.getValue()); // same eventId: stored once even if the first try was too
                synchronized (acked) {
                    acked.set(e.getKey());
                }
            }
        }

        void run(Job job) {
            Matcher m = NUMBER.matcher(job.payloadJson());
            if (!m.find()) {
                throw new IllegalStateException("no event number in " + job.payloadJson());
            }
            int n = Integer.parseInt(m.group(1));
            synchronized (ran) {
                if (ran.get(n)) {
                    reruns.incrementAndGet();
                }
                ran.set(n);
            }
        }

        int published() {
            return published.get();
        }

        int acked() {
            synchronized (acked) {
                return acked.cardinality();
            }
        }

        int ran() {
            synchronized (ran) {
                return ran.cardinality();
            }
        }

        boolean allRan() {
            return lost() == 0;
        }

        /** Acknowledged events whose job has not run. */
        int lost() {
            BitSet missing;
            synchronized (acked) {
                missing = (BitSet) acked.clone();
            }
            synchronized (ran) {
                missing.andNot(ran);
            }
            return missing.cardinality();
        }
    }

    record Sample(long second, long heapMb, long unacked, long waitingJobs) {
        long depth() {
            return unacked + waitingJobs;
        }
    }

    @Test
    void tenMinutesAtASteadyRateKeepHeapAndQueueDepthFlat(TestDatabase db, TestNats nats) throws Exception {
        Duration length = Duration.ofMinutes(Long.getLong("spine.soak.minutes", 10));
        Tally tally = new Tally();
        ServerConfig config = Fixture.config(db.url(), db.schema(), nats.url(), nats.prefix(), Map.of());
        List<Sample> samples = new ArrayList<>();
        try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                .handler(Fixture.JOB_TYPE, tally::run).build().start();
             Spine publisher = Spine.builder(nats.connect()).topology(config.engine().topology()).build()) {
            JetStreamManagement jsm = nats.connect().jetStreamManagement();
            AtomicBoolean loading = new AtomicBoolean(true);
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                long start = System.nanoTime();
                for (int i = 0; loading.get(); i++) {
                    tally.publishAsync(publisher, i);
                    long due = start + (i + 1) * 1_000_000_000L / RATE; // a steady rate, whatever a publish took
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Fixture.pause(wait / 1_000_000);
                    }
                }
            });
            long started = System.nanoTime();
            long end = started + length.toNanos();
            while (System.nanoTime() < end) {
                Fixture.pause(SAMPLE_EVERY.toMillis()); // the sampling period
                if (load.isDone()) {
                    load.get(); // the load stopped early: fail with its reason now, not after the whole run
                }
                ConsumerInfo ci = jsm.getConsumerInfo(config.engine().topology().platformStream(), config.engine().ingest().consumer());
                Sample s = new Sample((System.nanoTime() - started) / 1_000_000_000L,
                        WorkerSaturationTest.heapAfterGc() >> 20, ci.getNumPending() + ci.getNumAckPending(),
                        db.queryLong("select count(*) from " + db.schema() + ".job where state = 0"));
                samples.add(s);
                System.out.printf("soak: t=%ds heap %d MB, unacknowledged events %d, waiting jobs %d, acknowledged %d%n",
                        s.second(), s.heapMb(), s.unacked(), s.waitingJobs(), tally.acked());
            }
            loading.set(false);
            load.get(1, TimeUnit.MINUTES);
            Eventually.await("every publish acknowledged or reported", Duration.ofSeconds(60), tally::settled);
            tally.retryReported(publisher);
            Eventually.await("every job ran", Duration.ofMinutes(2), tally::allRan);

            int third = Math.max(1, samples.size() / 3);
            long firstHeap = samples.subList(0, third).stream().mapToLong(Sample::heapMb).max().orElse(0);
            long lastHeap = samples.subList(samples.size() - third, samples.size()).stream().mapToLong(Sample::heapMb)
                    .max().orElse(0);
            long deepest = samples.stream().mapToLong(Sample::depth).max().orElse(0);
            long created = db.queryLong("select count(*) from " + db.schema() + ".job_key");
            long jobs = db.queryLong("select (select count(*) from " + db.schema() + ".job) + (select count(*) from "
                    + db.schema() + ".job_archive) + (select count(*) from " + db.schema() + ".dead_job)");
            System.out.printf("soak: published %d, acked %d, reported %d, created %d, ran %d (re-runs %d), lost %d, "
                    + "duplicated %d over %s at %d/s; heap (max) first third %d MB, last third %d MB; deepest queue %d%n",
                    tally.published(), tally.acked(), tally.reported.get(), created, tally.ran(), tally.reruns.get(),
                    tally.lost(), jobs - created, length, RATE, firstHeap, lastHeap, deepest);
            assertTrue(lastHeap <= firstHeap + HEAP_SLACK_MB, "heap flat: " + firstHeap + " MB -> " + lastHeap + " MB");
            assertTrue(deepest <= 5L * RATE, "queue depth flat (never more than 5 s of load): " + deepest);
            assertEquals(0, tally.lost(), "no acknowledged event without a run");
            assertEquals(tally.acked(), created, "one job per event");
            assertEquals(created, jobs, "no event turned into two jobs");
        }
    }
}
