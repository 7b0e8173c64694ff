package dev.spine.events.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The micro-batching of batch subscriptions, the job service's ingest loop made reusable: whatever
 * arrived goes into an unbounded queue (the server bounds it by max-ack-pending); one thread takes what
 * is there up to the batch size and, only while events come in bursts, lingers for more, so a lone event
 * at a low rate is handed over at once. Nothing here allocates per item beyond the queue's node.
 */
public final class MicroBatcher<T> {

    /** Handles one batch on the batcher thread; the list is reused after it returns. */
    @FunctionalInterface
    public interface Sink<T> {
        void process(List<T> batch) throws InterruptedException;
    }

    /** How long an idle batcher waits before looking at {@code running} again. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final LinkedBlockingQueue<T> inbox = new LinkedBlockingQueue<>();
    private final int batchSize;
    private final long lingerNanos;
    private final Sink<T> sink;
    private volatile boolean running;
    private Thread thread;

    public MicroBatcher(int batchSize, Duration linger, Sink<T> sink) {
        this.batchSize = batchSize;
        this.lingerNanos = linger.toNanos();
        this.sink = sink;
    }

    public void offer(T item) {
        inbox.add(item);
    }

    public synchronized void start(String threadName) {
        running = true;
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        List<T> batch = new ArrayList<>(batchSize);
        boolean busy = false;
        try {
            while (running || !inbox.isEmpty()) {
                T first = inbox.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    busy = false;
                    continue;
                }
                batch.add(first);
                inbox.drainTo(batch, batchSize - batch.size());
                // linger for more only while events come in bursts: a lone event at a low rate goes at once
                if (busy && batch.size() < batchSize && lingerNanos > 0) {
                    T more = inbox.poll(lingerNanos, TimeUnit.NANOSECONDS);
                    if (more != null) {
                        batch.add(more);
                        inbox.drainTo(batch, batchSize - batch.size());
                    }
                }
                busy = batch.size() > 1 || !inbox.isEmpty();
                try {
                    sink.process(batch);
                } finally {
                    batch.clear(); // the sink settled them, even when interrupted
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.forEach(inbox::add); // close() hands them back with the rest
        }
    }

    /**
     * Stops taking new batches once the queue is empty, waits up to {@code timeout} for the batcher to
     * finish (interrupting it after that), and returns what it never handled.
     */
    public List<T> stop(Duration timeout) throws InterruptedException {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(Math.max(1, timeout.toMillis()));
            if (t.isAlive()) {
                t.interrupt();
                t.join(timeout.toMillis());
            }
        }
        List<T> left = new ArrayList<>();
        inbox.drainTo(left);
        return left;
    }

    /** Takes out what is queued (after {@link #stop}: what arrived since). */
    public List<T> drain() {
        List<T> left = new ArrayList<>();
        inbox.drainTo(left);
        return left;
    }

    /** Items received and not yet taken into a batch. */
    public int queued() {
        return inbox.size();
    }
}
