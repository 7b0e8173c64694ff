package dev.spine.jobs;

import dev.spine.jobs.internal.FetchTypes;
import dev.spine.jobs.internal.JobRunner;
import dev.spine.jobs.internal.JobStore;
import dev.spine.jobs.internal.Outcome;
import dev.spine.jobs.internal.PullLeases;
import dev.spine.jobs.internal.PullWaiters;
import dev.spine.jobs.internal.QueueRegistry;
import dev.spine.jobs.internal.RunnableJob;
import dev.spine.jobs.internal.Signal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workers in another process, in any language, that pull jobs over an API instead of running handlers in this
 * one: register (queues, job types, concurrency), fetch with long-poll, heartbeat, complete, fail. A pull worker
 * is a row of the same worker registry as a {@link JobQueue} process, so {@link JobQueue#workers()} and the
 * unserved gauge count its types, and it claims only jobs of its types, with the same statement as a local worker.
 *
 * <p>Guarantees, the same as for a handler run in this process: a fetched job is held by that worker alone until
 * it completes or fails it; a failure is retried after the job's backoff (or the worker's retry delay), and the
 * last attempt's failure dead-letters the job; an attempt not ended within the job's timeout fails here as a
 * timeout ({@code timed out after N ms}), and a complete that comes later is refused ({@link JobErrorCode#NOT_HELD}).
 * A worker that stops heartbeating for the queue's {@code staleAfter} has its jobs rescued (given back to their
 * queue) by any process's housekeeping, as a crashed process's would be. The worker must send its heartbeat more
 * often than that; its heartbeat keeps the worker's claims alive, it does not lengthen a job's timeout.
 */
public final class PullWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(PullWorkers.class);
    /** The most jobs one fetch may ask for. */
    public static final int MAX_FETCH = 100;
    /** The longest a fetch may wait for jobs (long-poll): below the admin API's default idle timeout (30 s). */
    public static final Duration MAX_WAIT = Duration.ofSeconds(20);
    /** The most handler slots a pull worker may declare. */
    public static final int MAX_CONCURRENCY = 1000;
    /** A waiting fetch looks again this often without a wake-up: jobs coming due, or a wake-up lost. */
    static final long POLL_BACKSTOP_MILLIS = 1000;
    /** How often fetched jobs are checked against their timeout: the most a timeout fires late. */
    static final long TIMEOUT_TICK_MILLIS = 50;
    private static final int MAX_ERROR_CHARS = 4000;
    private static final int MAX_NAME_CHARS = 200;

    private final JobStore store;
    private final JobRunner runner;
    private final QueueRegistry queues;
    private final PullWaiters waiters;
    private final PullLeases leases = new PullLeases();
    private final Map<UUID, JobStore.Registration> registered = new ConcurrentHashMap<>();
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final boolean archive;
    private final Duration staleAfter;
    private final BiConsumer<String, Instant> dueLater;
    private final Runnable listen;
    private boolean sweeping;

    PullWorkers(JobStore store, JobRunner runner, QueueRegistry queues, PullWaiters waiters, Clock clock,
            ScheduledExecutorService timer, boolean archive, Duration staleAfter, BiConsumer<String, Instant> dueLater,
            Runnable listen) {
        this.store = store;
        this.runner = runner;
        this.queues = queues;
        this.waiters = waiters;
        this.clock = clock;
        this.timer = timer;
        this.archive = archive;
        this.staleAfter = staleAfter;
        this.dueLater = dueLater;
        this.listen = listen;
    }

    /**
     * Registers a pull worker and returns its id; it is live from now until it stops heartbeating.
     *
     * @param name what the registry shows as its host (e.g. {@code node-worker@host}); blank: {@code pull-worker}
     * @throws InvalidJobException naming the field: {@code queues} or {@code types} empty or blank,
     *     {@code queues[i]} not a queue ({@code UNKNOWN_QUEUE}), {@code concurrency} outside 1..{@value #MAX_CONCURRENCY}
     */
    public UUID register(String name, List<String> queueNames, List<String> types, int concurrency) {
        List<String> q = names(queueNames, "queues");
        for (int i = 0; i < q.size(); i++) {
            queues.check(q.get(i), "queues[" + i + "]");
        }
        List<String> t = names(types, "types");
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "concurrency",
                    "concurrency must be 1.." + MAX_CONCURRENCY + ", was " + concurrency);
        }
        if (name != null && name.length() > MAX_NAME_CHARS) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "name", "name must be at most "
                    + MAX_NAME_CHARS + " characters");
        }
        UUID id = UUID.randomUUID();
        JobStore.Registration r = new JobStore.Registration(id, name == null || name.isBlank() ? "pull-worker" : name,
                clock.instant(), q, Collections.nCopies(q.size(), concurrency), t);
        store.heartbeat(r, clock.instant());
        registered.put(id, r);
        startSweeping();
        LOG.info("pull worker {} ({}) registered: queues {}, types {}, concurrency {}", id, r.host(), q, t, concurrency);
        return id;
    }

    /**
     * Claims up to {@code max} due jobs of the worker's types in its queues (in the order it named them), waiting up
     * to {@code wait} for one when none is due: returns as soon as jobs are claimed, or empty when the wait ends.
     * Each job is held until the worker completes or fails it, or its timeout ends the attempt. A worker that has
     * not heartbeat for {@link #staleAfter()} claims nothing (its jobs are being rescued) until its next heartbeat.
     */
    public List<PulledJob> fetch(UUID workerId, int max, Duration wait) {
        JobStore.Registration r = registration(workerId);
        if (max < 1 || max > MAX_FETCH) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "max", "max must be 1.." + MAX_FETCH + ", was " + max);
        }
        if (wait == null || wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "wait", "wait must be 0.."
                    + MAX_WAIT.toMillis() + " ms, was " + (wait == null ? null : wait.toMillis()));
        }
        listen.run(); // wake-ups from other processes' enqueues come through the LISTEN connection
        long deadline = System.nanoTime() + wait.toNanos();
        Signal wake = new Signal();
        waiters.add(r.queues(), wake);
        try {
            while (true) {
                List<PulledJob> jobs = claim(r, max);
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (!jobs.isEmpty() || left <= 0) {
                    return jobs;
                }
                wake.await(Math.min(left, POLL_BACKSTOP_MILLIS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            waiters.remove(r.queues(), wake);
        }
    }

    private List<PulledJob> claim(JobStore.Registration r, int max) {
        if (!store.isLive(r.id(), clock.instant().minus(staleAfter))) {
            // No heartbeat for staleAfter: its jobs are being rescued, and this may be the long-poll of a worker
            // that died while it waited (its connection gone unnoticed): a job claimed for it now would wait
            // for the next rescue, an attempt lost. A live worker's next heartbeat makes it claim again.
            return List.of();
        }
        FetchTypes types = FetchTypes.byType(r.types().toArray(String[]::new));
        List<PulledJob> out = new ArrayList<>();
        for (String queue : r.queues()) {
            if (out.size() >= max) {
                break;
            }
            Instant now = clock.instant();
            for (RunnableJob job : store.fetch(queue, types, max - out.size(), now, r.id())) {
                Instant deadline = now.plusMillis(job.timeoutMillis());
                leases.add(new PullLeases.Lease(r.id(), job, deadline));
                out.add(new PulledJob(job.job(), Duration.ofMillis(job.timeoutMillis()), deadline));
            }
        }
        return out;
    }

    /** How long a pull worker may go without a heartbeat before its jobs are rescued: heartbeat well within it. */
    public Duration staleAfter() {
        return staleAfter;
    }

    /** Says the worker is alive: its registry row and the claims of the jobs it holds stay live. */
    public void heartbeat(UUID workerId) {
        store.heartbeat(registration(workerId), clock.instant());
    }

    /**
     * Ends the worker's attempt of {@code jobId} as completed: the job leaves the hot table (archived as completed
     * when the queue archives).
     *
     * @param attempt the attempt the worker fetched ({@code Job.attempt()}), or 0 for whichever it holds: with it, a
     *     complete of an attempt that timed out cannot end the next attempt the same worker fetched since
     * @throws InvalidJobException {@code NOT_HELD} (field {@code jobId}) when the worker does not hold the job (or
     *     not that attempt)
     */
    public void complete(UUID workerId, UUID jobId, int attempt) {
        RunnableJob job = take(workerId, jobId, attempt);
        write(workerId, runner.completedElsewhere(job));
    }

    /** {@link #complete(UUID, UUID, int)} of whichever attempt the worker holds. */
    public void complete(UUID workerId, UUID jobId) {
        complete(workerId, jobId, 0);
    }

    /**
     * Ends the worker's attempt of {@code jobId} as failed with {@code error}: retried after {@code retryDelay}
     * (null: the job's backoff), or dead-lettered when it was the last attempt.
     *
     * @param attempt as for {@link #complete(UUID, UUID, int)}
     * @throws InvalidJobException {@code NOT_HELD} (field {@code jobId}) when the worker does not hold the job;
     *     {@code INVALID_FIELD} for a negative {@code retryDelay}
     */
    public void fail(UUID workerId, UUID jobId, int attempt, String error, Duration retryDelay) {
        if (retryDelay != null && retryDelay.isNegative()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "retryDelay", "retryDelay must not be negative");
        }
        String message = error == null || error.isBlank() ? "failed (the pull worker gave no error)" : error;
        if (message.length() > MAX_ERROR_CHARS) {
            message = message.substring(0, MAX_ERROR_CHARS) + "...";
        }
        RunnableJob job = take(workerId, jobId, attempt);
        write(workerId, runner.failedElsewhere(job, message, retryDelay));
    }

    /** {@link #fail(UUID, UUID, int, String, Duration)} of whichever attempt the worker holds. */
    public void fail(UUID workerId, UUID jobId, String error, Duration retryDelay) {
        fail(workerId, jobId, 0, error, retryDelay);
    }

    /**
     * Unregisters the worker (it is shutting down): the jobs it still holds through this process go back to their
     * queues with their attempt not counted; any others are rescued once its row is gone.
     */
    public void remove(UUID workerId) {
        registration(workerId);
        List<PullLeases.Lease> held = leases.takeAll(workerId);
        if (!held.isEmpty()) {
            store.write(held.stream().map(l -> (Outcome) new Outcome.HandedBack(l.job().job().id())).toList(),
                    workerId, clock.instant(), archive);
            held.stream().map(l -> l.job().job().queue()).distinct().forEach(q -> dueLater.accept(q, clock.instant()));
        }
        store.removeWorker(workerId);
        registered.remove(workerId);
        LOG.info("pull worker {} unregistered; {} held jobs handed back", workerId, held.size());
    }

    /** The job the worker holds: through this process's lease, or, fetched through another process, its row. */
    private RunnableJob take(UUID workerId, UUID jobId, int attempt) {
        if (attempt < 0) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "attempt", "attempt must be >= 1 (or 0 for "
                    + "whichever the worker holds), was " + attempt);
        }
        PullLeases.Lease lease = leases.get(jobId);
        if (lease != null && lease.workerId().equals(workerId) && matches(lease.job(), attempt) && leases.end(lease)) {
            return lease.job();
        }
        Optional<RunnableJob> held = lease == null && !leases.timingOut(jobId)
                ? store.heldBy(jobId, workerId).filter(j -> matches(j, attempt)) : Optional.empty();
        return held.orElseThrow(() -> new InvalidJobException(JobErrorCode.NOT_HELD, "jobId", "worker " + workerId
                + " does not hold job " + jobId + (attempt > 0 ? " attempt " + attempt : "") + " (not fetched by it, "
                + "or that attempt ended: timed out, or rescued after the worker stopped heartbeating)"));
    }

    private static boolean matches(RunnableJob job, int attempt) {
        return attempt == 0 || job.job().attempt() == attempt;
    }

    private void write(UUID workerId, Outcome outcome) {
        store.write(List.of(outcome), workerId, clock.instant(), archive);
        if (outcome instanceof Outcome.Retry retry) {
            dueLater.accept(retry.queue(), retry.runAt());
        }
    }

    private JobStore.Registration registration(UUID workerId) {
        if (workerId == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "workerId", "a worker id is required");
        }
        JobStore.Registration r = registered.get(workerId);
        if (r != null) {
            return r;
        }
        // registered through another process of this schema: its registry row says what it serves
        Instant liveSince = clock.instant().minus(staleAfter.multipliedBy(100));
        return store.workers(liveSince).stream().filter(w -> w.id().equals(workerId)).findFirst()
                .map(w -> {
                    JobStore.Registration found = new JobStore.Registration(w.id(), w.host(), w.startedAt(),
                            List.copyOf(w.queues().keySet()), List.copyOf(w.queues().values()), w.types());
                    registered.put(workerId, found);
                    return found;
                })
                .orElseThrow(() -> new InvalidJobException(JobErrorCode.NOT_FOUND, "workerId",
                        "no worker " + workerId + " (never registered, unregistered, or long gone); register again"));
    }

    private synchronized void startSweeping() {
        if (!sweeping) {
            sweeping = true;
            timer.scheduleWithFixedDelay(this::timeOutOverdue, TIMEOUT_TICK_MILLIS, TIMEOUT_TICK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Fails the attempts of fetched jobs past their timeout, as a handler's timeout would. */
    private void timeOutOverdue() {
        for (PullLeases.Lease l : leases.takeOverdue(clock.instant())) {
            try {
                write(l.workerId(), runner.failedElsewhere(l.job(), "timed out after " + l.job().timeoutMillis()
                        + " ms (pull worker " + l.workerId() + ")", null));
            } catch (RuntimeException e) {
                // the job stays running under the worker: the rescue's overrun rule gives it back later
                LOG.warn("could not fail timed-out job {}; the rescue will", l.job().job().id(), e);
            } finally {
                leases.timedOut(l);
            }
        }
    }

    private static List<String> names(List<String> values, String field) {
        if (values == null || values.isEmpty()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, field, field + " must name at least one");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null || v.isBlank()) {
                throw new InvalidJobException(JobErrorCode.INVALID_FIELD, field + "[" + i + "]", "must not be blank");
            }
            out.add(v);
        }
        return List.copyOf(out);
    }

    /** A job a pull worker fetched: the job, its timeout, and the instant the attempt times out. */
    public record PulledJob(Job job, Duration timeout, Instant deadline) {}
}
