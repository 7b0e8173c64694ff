package dev.spine.jobs.internal;

import dev.spine.jobs.QueueOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works one queue in this process: fetch threads (one by default; more let one claim round-trip while the
 * other's jobs run) claim due jobs of the types this process has handlers for, in batches (FOR UPDATE SKIP
 * LOCKED), and
 * hands them to {@code concurrency} handler threads. It fetches when woken (an enqueue in this process, a
 * NOTIFY from another, a retry coming due) or every poll interval as the backstop. It claims at most
 * {@code concurrency + fetchSize} jobs at once, and under load waits until half a batch is free, so that
 * every fetch is worth its round trip.
 */
public final class QueueWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);
    private static final long ERROR_BACKOFF_MILLIS = 1000;
    /** How often stopping looks again whether a fetcher has ended. */
    private static final long STOP_CHECK_MILLIS = 5;
    /** How long a fetcher other than the first waits for a wake-up when its queue looked empty. */
    private static final long SECONDARY_IDLE_WAIT_MILLIS = 60_000;

    private final QueueOptions options;
    private final JobStore store;
    private final JobRunner runner;
    private final JobMetrics metrics;
    private final Clock clock;
    private final UUID workerId;
    private final ServedTypes served;
    private final Signal wake = new Signal();
    private final Semaphore capacity;
    private final int dispatchRoom;
    private final int refillAt;
    private final ExecutorService handlers;
    private final Set<Thread> busyThreads = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    /** The last fetch found fewer due jobs than it asked for: no backlog that a local claim would overtake. */
    private volatile boolean drained;
    /**
     * The last fetch found no unlocked due job at all (SKIP LOCKED passes over others' claims to look further):
     * a finished job then frees room for nothing, and new work wakes a fetcher itself (an enqueue here, a
     * NOTIFY, a retry coming due) or the poll finds it. Without this, every job run at low rate was followed
     * by a fetch that claimed nothing.
     */
    private volatile boolean foundNone;
    private final List<Thread> fetchers = new ArrayList<>();

    public QueueWorker(QueueOptions options, JobStore store, JobRunner runner, JobMetrics metrics, Clock clock,
            UUID workerId, ServedTypes served) {
        this.served = served;
        this.options = options;
        this.store = store;
        this.runner = runner;
        this.metrics = metrics;
        this.clock = clock;
        this.workerId = workerId;
        int fetchRoom = options.concurrency() + options.fetchSize() * options.fetchers();
        this.dispatchRoom = options.dispatchRoom();
        // one pool of room: fetches may use all but the dispatch room, direct dispatch may use all of it
        this.capacity = new Semaphore(fetchRoom + dispatchRoom);
        this.refillAt = Math.max(1, Math.min(options.fetchSize(), fetchRoom) / 2);
        this.handlers = Executors.newFixedThreadPool(options.concurrency(),
                new NamedThreads("spine-jobs-" + options.name()));
    }

    public String queue() {
        return options.name();
    }

    /** Asks the fetch thread to look for due jobs now. */
    public void wake() {
        wake.raise();
    }

    public synchronized void start() {
        running = true;
        NamedThreads threads = new NamedThreads("spine-jobs-fetch-" + options.name());
        for (int i = 0; i < options.fetchers(); i++) {
            // only the first fetcher polls; the others sleep until woken, so idle queues cost one poll
            long idleWaitMillis = i == 0 ? options.pollInterval().toMillis() : SECONDARY_IDLE_WAIT_MILLIS;
            Thread t = threads.newThread(() -> loop(idleWaitMillis));
            fetchers.add(t);
            t.start();
        }
    }

    private void loop(long pollMillis) {
        boolean idle = true;
        while (running) {
            try {
                int free = fetchRoomFree();
                if (free < (idle ? 1 : refillAt)) {
                    // waiting for room, not for work: a wake-up for new jobs may have been spent here, so a
                    // finished job must wake this fetcher again
                    foundNone = false;
                    wake.await(pollMillis);
                    continue;
                }
                int want = Math.min(free, options.fetchSize());
                if (!capacity.tryAcquire(want)) {
                    continue; // another fetcher claimed the room first
                }
                List<RunnableJob> jobs;
                try {
                    metrics.fetched();
                    jobs = store.fetch(options.name(), served.forQueue(options.name()), want, clock.instant(),
                            workerId);
                } catch (RuntimeException e) {
                    capacity.release(want);
                    throw e;
                }
                capacity.release(want - jobs.size());
                for (RunnableJob job : jobs) {
                    handlers.execute(() -> runAndRelease(job)); // its permit was taken before the fetch
                }
                idle = jobs.size() < want;
                drained = idle;
                foundNone = jobs.isEmpty();
                if (idle) {
                    wake.await(pollMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("queue {}: fetch failed, retrying in {} ms", options.name(), ERROR_BACKOFF_MILLIS, e);
                try {
                    wake.await(ERROR_BACKOFF_MILLIS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Room a fetch may claim: what is free beyond the room kept for direct dispatch. */
    private int fetchRoomFree() {
        return capacity.availablePermits() - dispatchRoom;
    }

    /**
     * Takes room for one job this process is inserting, so it can be inserted already claimed and run
     * without a fetch. Only while running and drained, never blocking: returns whether it took it.
     */
    boolean reserve() {
        return running && drained && capacity.tryAcquire();
    }

    /** Gives back room taken by {@link #reserve} that no claimed job used. */
    void unreserve() {
        capacity.release();
    }

    /**
     * Runs a job inserted already claimed by this worker on room taken by {@link #reserve}. Returns false if
     * the handler pool is shut down (the queue is closing): the caller hands the job back.
     */
    boolean runClaimed(RunnableJob job) {
        try {
            handlers.execute(() -> runAndRelease(job));
            return true;
        } catch (RejectedExecutionException e) {
            capacity.release();
            return false;
        }
    }

    private void runAndRelease(RunnableJob job) {
        Thread self = Thread.currentThread();
        busyThreads.add(self);
        try {
            runner.run(job);
        } finally {
            busyThreads.remove(self);
            capacity.release();
            // wake a fetcher only once there is room for a worthwhile batch, not after every job, and only
            // while the queue may hold due jobs
            if (!foundNone && fetchRoomFree() >= refillAt) {
                wake.raise();
            }
        }
    }

    /** Stops fetching; no new job is claimed after this returns. */
    public void stopFetching() throws InterruptedException {
        running = false;
        drained = false;
        List<Thread> threads;
        synchronized (this) {
            threads = List.copyOf(fetchers);
        }
        for (Thread t : threads) {
            // one raise wakes one waiting fetcher, not necessarily this one: raise until this one has ended
            while (t.isAlive()) {
                wake.raise();
                t.join(STOP_CHECK_MILLIS);
            }
        }
    }

    /** Lets queued and running jobs finish; waits up to {@code millis}. Returns whether all ended. */
    public boolean awaitIdle(long millis) throws InterruptedException {
        handlers.shutdown();
        return handlers.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Interrupts the jobs still running (the runner hands them back instead of failing them), lets the
     * queued ones drain (handed back at once), and waits a little for the threads to end.
     */
    public void interruptAndAwait() throws InterruptedException {
        busyThreads.forEach(Thread::interrupt);
        handlers.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        stopFetching();
        awaitIdle(0);
        interruptAndAwait();
    }
}
