package dev.spine.jobs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Client-side group commit for single enqueues. Threads that enqueue at the same moment share one
 * transaction: the first to arrive becomes the combiner, drains everything pending and inserts it with one
 * statement and one commit, while the others wait for that commit. Alone, a caller inserts its own job at
 * once, so latency at low rates is unchanged; under load, commits (the limit of a single-row insert path)
 * are shared by many jobs. Every caller still returns only after its job is committed.
 */
public final class EnqueueCombiner {
    /** Most jobs one combined transaction takes. */
    static final int MAX_BATCH = 500;
    /** Batches one combiner runs back to back for others before returning to its own caller. */
    static final int MAX_ROUNDS = 8;
    /**
     * How long a waiter sleeps before looking for a free combiner slot again. Waiters are woken by their own
     * commit; this only covers a combiner that finished just as the waiter arrived.
     */
    private static final long WAIT_MICROS = 2000;

    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final Semaphore combiners;
    private final Function<List<NewJob>, List<UUID>> insertCommitted;

    /**
     * @param parallel how many combined transactions may be in flight at once (connections used)
     * @param insertCommitted inserts jobs in one committed transaction; returns their ids in order
     */
    public EnqueueCombiner(int parallel, Function<List<NewJob>, List<UUID>> insertCommitted) {
        this.combiners = new Semaphore(parallel);
        this.insertCommitted = insertCommitted;
    }

    /** Returns once {@code job} is committed: its id, or the existing job's id for a duplicate key. */
    public UUID enqueue(NewJob job) {
        Pending mine = new Pending(job);
        pending.add(mine);
        while (!mine.isDone()) {
            if (combiners.tryAcquire()) {
                try {
                    // keep combining while others wait, so that they need not wake up to take a turn
                    for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
                        combineOnce();
                    }
                } finally {
                    combiners.release();
                }
            } else {
                mine.await(WAIT_MICROS);
            }
        }
        if (mine.alone) {
            // the shared transaction failed: try this job on its own, so one bad job fails only its caller
            return insertCommitted.apply(List.of(job)).get(0);
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.id;
    }

    private void combineOnce() {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < MAX_BATCH && (p = pending.poll()) != null) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<UUID> ids = insertCommitted.apply(batch.stream().map(x -> x.job).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(ids.get(i), null, false);
            }
        } catch (RuntimeException e) {
            for (Pending x : batch) {
                x.complete(null, batch.size() == 1 ? e : null, batch.size() > 1);
            }
        } catch (Error e) {
            // every waiter must hear back, or it would wait for ever; then the error goes on up
            for (Pending x : batch) {
                x.complete(null, new IllegalStateException("enqueue aborted: " + e, e), false);
            }
            throw e;
        }
    }

    /** One caller's job and, once its transaction ended, the outcome. */
    private static final class Pending {
        final NewJob job;
        private final CountDownLatch done = new CountDownLatch(1);
        UUID id;
        RuntimeException failure;
        boolean alone;

        Pending(NewJob job) {
            this.job = job;
        }

        void complete(UUID id, RuntimeException failure, boolean alone) {
            this.id = id;
            this.failure = failure;
            this.alone = alone;
            done.countDown();
        }

        boolean isDone() {
            return done.getCount() == 0;
        }

        void await(long micros) {
            try {
                done.await(micros, TimeUnit.MICROSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the enqueue to commit", e);
            }
        }
    }
}
