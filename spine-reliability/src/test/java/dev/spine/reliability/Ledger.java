package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublishException;
import dev.spine.events.EventPublisher;
import dev.spine.jobs.Job;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * What a fault test published and what became of it. Every publish ends either acknowledged by the
 * stream or reported to the publisher (an {@link EventPublishException}); reported events are published
 * again (same eventId, so one that was stored after all is deduplicated by JetStream) until acknowledged.
 * Then each acknowledged event must have exactly one job, and each job must have run.
 */
final class Ledger {
    private final String name;
    private final Map<String, EventEnvelope> published = new ConcurrentHashMap<>();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Map<String, String> reported = new ConcurrentHashMap<>();
    private final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
    private final AtomicInteger reportedTotal = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    /** Runs per idempotency key, recorded by the handler. */
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    Ledger(String name) {
        this.name = name;
    }

    /** Publishes asynchronously and books the outcome when the future completes. */
    void publishAsync(EventPublisher publisher, EventEnvelope event) {
        String id = event.eventId().toString();
        published.put(id, event);
        CompletableFuture<?> f;
        try {
            f = publisher.publishAsync(event).whenComplete((r, error) -> book(id, error));
        } catch (EventPublishException e) {
            book(id, e); // refused before sending (e.g. interrupted): reported at once
            return;
        }
        pending.add(f);
    }

    /** Publishes synchronously, booking an acknowledgement or the reported failure. */
    boolean publish(EventPublisher publisher, EventEnvelope event) {
        String id = event.eventId().toString();
        published.put(id, event);
        try {
            publisher.publish(event);
            book(id, null);
            return true;
        } catch (EventPublishException e) {
            book(id, e);
            return false;
        }
    }

    private void book(String id, Throwable error) {
        if (error == null) {
            acked.add(id);
            reported.remove(id);
        } else {
            reportedTotal.incrementAndGet();
            if (!acked.contains(id)) {
                reported.put(id, String.valueOf(error.getMessage()));
            }
        }
    }

    /** Waits until every async publish has completed one way or the other: none may hang. */
    void awaitSettled(Duration timeout) throws Exception {
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(published.size(), acked.size() + reported.size(),
                "every publish is either acknowledged or reported");
    }

    /** Publishes every reported event again (synchronously) until the stream acknowledges it. */
    void retryReported(EventPublisher publisher, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reported.isEmpty()) {
            for (String id : List.copyOf(reported.keySet())) {
                retried.incrementAndGet();
                publish(publisher, published.get(id));
            }
            if (!reported.isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "reported events still not acknowledged: " + reported.size());
                Fixture.pause(200);
            }
        }
    }

    /** The job handler: counts each run of each job. */
    void run(Job job) {
        runs.computeIfAbsent(job.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
    }

    int acknowledged() {
        return acked.size();
    }

    int distinctRuns() {
        return runs.size();
    }

    /** Counts from the job tables of {@code schema}; prints them in one line. */
    Counts count(DataSource db, String schema) throws SQLException {
        Set<String> keys = new HashSet<>();
        long jobs;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select key from " + schema + ".job_key")) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("select (select count(*) from " + schema + ".job) + (select count(*) from "
                    + schema + ".job_archive) + (select count(*) from " + schema + ".dead_job)")) {
                rs.next();
                jobs = rs.getLong(1);
            }
        }
        long lost = acked.stream().filter(id -> !keys.contains(id + ":" + Fixture.JOB_TYPE)).count();
        int totalRuns = runs.values().stream().mapToInt(AtomicInteger::get).sum();
        Counts counts = new Counts(published.size(), acked.size(), reportedTotal.get(), retried.get(), keys.size(),
                runs.size(), totalRuns - runs.size(), lost, jobs - keys.size());
        System.out.println(name + ": " + counts);
        return counts;
    }

    /**
     * published: distinct events; acked: acknowledged by the stream in the end; reported: failures handed
     * to the publisher (then retried); created: jobs (one per idempotency key); ran: jobs run; reruns: runs
     * beyond the first; lost: acknowledged events without a job; duplicated: jobs beyond one per key.
     */
    record Counts(long published, long acked, long reported, long retried, long created, long ran, long reruns,
            long lost, long duplicated) {
        @Override
        public String toString() {
            return String.format("published %d, acked %d, reported %d (republished %d), created %d, ran %d "
                    + "(re-runs %d), lost %d, duplicated %d", published, acked, reported, retried, created, ran, reruns,
                    lost, duplicated);
        }
    }
}
