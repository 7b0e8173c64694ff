package dev.spine.jobs.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes finished attempts in batches: whatever has piled up since the last write goes in one round of
 * statements (one per kind), so per-job round trips never limit throughput. On a database error the batch
 * is kept and retried; if the process dies first, the jobs are still marked running and get rescued.
 */
public final class OutcomeWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeWriter.class);
    static final int MAX_BATCH = 1000;
    private static final long RETRY_MILLIS = 500;

    private final JobStore store;
    private final UUID workerId;
    private final Clock clock;
    private final boolean archive;
    private final BiConsumer<String, Instant> onDue;
    private final LinkedBlockingQueue<Outcome> pending = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private Thread thread;

    /** @param onDue told of each job put back for later (queue, due time), to wake a worker then */
    public OutcomeWriter(JobStore store, UUID workerId, Clock clock, boolean archive, BiConsumer<String, Instant> onDue) {
        this.store = store;
        this.workerId = workerId;
        this.clock = clock;
        this.archive = archive;
        this.onDue = onDue;
    }

    public void add(Outcome outcome) {
        pending.add(outcome);
    }

    public synchronized void start() {
        thread = new NamedThreads("spine-jobs-writer").newThread(this);
        thread.start();
    }

    @Override
    public void run() {
        List<Outcome> batch = new ArrayList<>(MAX_BATCH);
        while (running || !pending.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Outcome first = pending.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                pending.drainTo(batch, MAX_BATCH - batch.size());
                writeNow(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("writing {} job outcomes failed; retrying in {} ms", batch.size(), RETRY_MILLIS, e);
                if (!running) {
                    return; // shutting down with the database gone: the jobs stay running and get rescued
                }
                try {
                    Thread.sleep(RETRY_MILLIS); // back off from a failing database, not synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Writes a batch on the calling thread (also used by {@code runOnce}). */
    public void writeNow(List<Outcome> batch) {
        store.write(batch, workerId, clock.instant(), archive);
        for (Outcome o : batch) {
            if (o instanceof Outcome.Retry r) {
                onDue.accept(r.queue(), r.runAt());
            } else if (o instanceof Outcome.Snoozed z) {
                onDue.accept(z.queue(), z.runAt());
            }
        }
    }

    /** Stops after writing everything already added; waits up to {@code millis}. */
    public void close(long millis) throws InterruptedException {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(Math.max(1, millis));
            if (t.isAlive()) {
                t.interrupt();
                LOG.warn("{} job outcomes not written at shutdown; those jobs will be rescued", pending.size());
            }
        }
    }
}
