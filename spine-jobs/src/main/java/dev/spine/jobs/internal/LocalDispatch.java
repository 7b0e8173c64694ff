package dev.spine.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.Job;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Direct dispatch of jobs this process inserts: a job due now, of a type this process has a handler for, for a
 * queue this process works and has drained, is inserted already claimed by its worker (running, attempt 1)
 * and handed to a handler thread as soon as the insert commits. It needs no NOTIFY, no fetch and no second round trip, which is most of
 * the enqueue-to-handler latency and half of PostgreSQL's work per job. Room is reserved before the insert
 * and given back for every row that was not claimed (duplicate key, paused queue, failed insert). A crash
 * between commit and run leaves a running job of this worker, which rescue retries, giving back the attempt
 * of a claim made by the job's own insert (it may never have started).
 */
public final class LocalDispatch {
    private final Map<String, QueueWorker> workers;
    private final UUID workerId;
    private final ObjectMapper mapper;
    private final Consumer<Outcome> handBack;
    private final JobMetrics metrics;
    private final ServedTypes served;

    /** @param handBack where a claimed job goes back to the queue when its worker is already closing */
    public LocalDispatch(Map<String, QueueWorker> workers, ServedTypes served, UUID workerId, ObjectMapper mapper,
            JobMetrics metrics, Consumer<Outcome> handBack) {
        this.served = served;
        this.metrics = metrics;
        this.workers = workers;
        this.workerId = workerId;
        this.mapper = mapper;
        this.handBack = handBack;
    }

    public UUID workerId() {
        return workerId;
    }

    /**
     * Which of {@code jobs} to insert claimed, room taken for each; null when none. Keyless bulk batches
     * (COPY-sized) are never claimed: they are loads, not latency-sensitive, and COPY is faster for them;
     * keyed batches (events becoming jobs) are inserted by one statement whatever their size.
     */
    public boolean[] reserve(List<NewJob> jobs, Instant now) {
        if (workers.isEmpty() || (jobs.size() >= PgJobInserts.COPY_THRESHOLD && !anyKeyed(jobs))) {
            return null;
        }
        boolean[] claim = null;
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = jobs.get(i);
            QueueWorker worker = workers.get(j.queue());
            // a type without a handler here is never claimed by its insert: it waits for a process that serves it
            if (worker == null || !served.serves(j.type()) || j.runAt().isAfter(now) || !worker.reserve()) {
                continue;
            }
            if (claim == null) {
                claim = new boolean[jobs.size()];
            }
            claim[i] = true;
        }
        return claim;
    }

    private static boolean anyKeyed(List<NewJob> jobs) {
        for (NewJob j : jobs) {
            if (j.idempotencyKey() != null) {
                return true;
            }
        }
        return false;
    }

    /** After the insert committed: runs the jobs it claimed and gives back the room of the others. */
    public void dispatch(List<NewJob> jobs, boolean[] claim, Map<UUID, String> claimed, Instant now) {
        if (claim == null) {
            return;
        }
        for (int i = 0; i < claim.length; i++) {
            if (!claim[i]) {
                continue;
            }
            NewJob j = jobs.get(i);
            QueueWorker worker = workers.get(j.queue());
            String row = claimed.get(j.id());
            if (row == null) {
                worker.unreserve();
                continue;
            }
            Job job = new Job(j.id(), j.queue(), j.type(), j.payloadJson(), 1, j.maxAttempts(), j.priority(),
                    j.idempotencyKey(), j.correlationId(), j.traceparent(), j.tracestate(), now, j.runAt(), mapper);
            if (worker.runClaimed(new RunnableJob(job, row, j.timeoutMillis(), j.backoffMillis(), j.backoffMaxMillis()))) {
                metrics.dispatchedLocally();
            } else {
                handBack.accept(new Outcome.HandedBack(j.id()));
            }
        }
    }

    /** The insert failed or was rolled back: gives back all the room {@link #reserve} took. */
    public void release(List<NewJob> jobs, boolean[] claim) {
        if (claim == null) {
            return;
        }
        for (int i = 0; i < claim.length; i++) {
            if (claim[i]) {
                workers.get(jobs.get(i).queue()).unreserve();
            }
        }
    }
}
