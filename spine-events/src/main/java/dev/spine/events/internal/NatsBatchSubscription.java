package dev.spine.events.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.BatchHandler;
import dev.spine.events.Delivery;
import dev.spine.events.EventSubscription;
import dev.spine.events.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch subscription on JetStream: a pull thread ({@link PullLoop}) puts each message into the
 * {@link MicroBatcher}'s queue (no parsing, no allocation but the queue node), one batcher thread wraps a
 * batch in {@link NatsDelivery}s and runs the handler, then settles what the handler left: ack when it
 * returned; when it threw, a nak with the backoff of each delivery's count (or, on its last allowed
 * delivery, a dead letter and term), and a pause of that backoff so a failing database is not hammered.
 *
 * <p>Pull requests expire after {@link SubscriptionOptions#pullExpiry()}: after a server restart the
 * pending pull is gone and the client notices only at its expiry, so this bounds the stall.
 * Close stops pulling and lets the pulls already asked for run out (messages the server sends to a pull
 * whose inbox is gone would wait out AckWait), handling what they bring; then the batcher finishes what it
 * holds, all within stopTimeout, and whatever is still left is handed back at once (a nak).
 */
public final class NatsBatchSubscription implements EventSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(NatsBatchSubscription.class);
    /**
     * The size of a pull unless the options set one: twice a batch (at least 256) so the next batch is on its
     * way, within ack-pending.
     */
    private static final int MIN_PULL = 256;
    static final String REASON_MAX_DELIVERIES = "max-deliveries";
    /** Beyond the pull loop's own end after a stop: the hand-over of its last messages to the batcher. */
    private static final Duration HAND_OVER_MARGIN = Duration.ofMillis(300);

    private final Connection connection;
    private final SubscriptionOptions options;
    private final String stream;
    private final EventCodec codec;
    private final BatchHandler handler;
    private final DeadLetterWriter deadLetters;
    private final EventMetrics metrics;
    private final MicroBatcher<Message> batcher;
    private final AtomicLong handled = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean handingBack;
    private final PullLoop pulls;
    private Thread puller;
    private boolean closed;

    public NatsBatchSubscription(Connection connection, SubscriptionOptions options, String stream, EventCodec codec,
            BatchHandler handler, DeadLetterWriter deadLetters, EventMetrics metrics) {
        this.connection = connection;
        this.options = options;
        this.stream = stream;
        this.pulls = new PullLoop(connection, stream, options, Math.max(options.batchSize() * 2, MIN_PULL));
        this.codec = codec;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.batcher = new MicroBatcher<>(options.batchSize(), options.linger(), this::process);
    }

    @Override
    public String durableName() {
        return options.durableName();
    }

    /** Starts the batcher, then pulling; the durable itself must exist (see {@link DurableConsumers}). */
    public synchronized void start() {
        batcher.start("spine-batch-" + options.durableName());
        puller = new Thread(() -> pulls.run(this::arrived), "spine-pull-" + options.durableName());
        puller.setDaemon(true);
        puller.start();
    }

    private void arrived(Message m) {
        if (handingBack) {
            m.nak(); // the subscription is closing: another instance takes it now, not after AckWait
        } else {
            batcher.offer(m);
        }
    }

    private void process(List<Message> messages) throws InterruptedException {
        List<Delivery> batch = new ArrayList<>(messages.size());
        for (Message m : messages) {
            batch.add(new NatsDelivery(m, stream, codec));
        }
        // No delivered/failed/latency counts here: a batch handler settles each delivery itself (ack, term, hand
        // back), so only it knows what was handled; it counts that (the job service does, under the platform's
        // metric names), and the bus counts the dead letters it writes.
        Exception failure = null;
        try {
            handler.handle(batch);
        } catch (Exception e) {
            failure = e;
        }
        // close() interrupts a handler that outlives stopTimeout; jnats drops an ack or nak published from an
        // interrupted thread, so the flag is cleared while settling and the interruption passed on afterwards
        boolean interrupted = Thread.interrupted() || failure instanceof InterruptedException;
        if (failure == null) {
            for (Delivery d : batch) {
                d.ack();
            }
            handled.addAndGet(batch.size());
            if (interrupted) {
                throw new InterruptedException("closing");
            }
            return;
        }
        Duration pause = handBack(batch, failure);
        if (interrupted) {
            throw new InterruptedException("closing");
        }
        if (pause.compareTo(Duration.ZERO) > 0) {
            stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS); // back off; close() ends the pause
        }
    }

    /** Hands back what the failed handler left unsettled; returns the pause before the next batch. */
    private Duration handBack(List<Delivery> batch, Exception failure) {
        Duration pause = Duration.ZERO;
        int left = 0;
        for (Delivery d : batch) {
            if (d.isSettled()) {
                continue;
            }
            left++;
            long delivered = d.deliveredCount();
            if (options.isLastDelivery(delivered)) {
                deadLetter((NatsDelivery) d, failure);
                continue;
            }
            Duration delay = options.backoffAfter(delivered);
            d.nakWithDelay(delay);
            if (delay.compareTo(pause) > 0) {
                pause = delay;
            }
        }
        LOG.warn("{}/{}: a batch of {} failed; {} unsettled handed back, pausing {}", stream, options.durableName(),
                batch.size(), left, pause, failure);
        return pause;
    }

    private void deadLetter(NatsDelivery d, Exception error) {
        try {
            deadLetters.write(d.message(), options.durableName(), REASON_MAX_DELIVERIES, error);
            d.term("dead-lettered");
            metrics.deadLettered.inc();
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // not stored as a dead letter, so not terminated: the max-deliveries watcher is the backstop
            LOG.error("{}/{}: cannot write dead letter for sequence {} on its last delivery", stream,
                    options.durableName(), d.sequence(), e);
            d.settledElsewhere();
        }
    }

    /** Stops pulling at once; {@link #close()} then finishes what was received. */
    public void beginStop() {
        pulls.stop();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        beginStop();
        long deadline = System.nanoTime() + options.stopTimeout().toNanos();
        // no pull is asked for after the stop; the open one ends when answered in full or when it expires
        long pullsOver = System.nanoTime() + pulls.stopsWithin().toNanos() + HAND_OVER_MARGIN.toNanos();
        try {
            if (puller != null) {
                puller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(deadline, pullsOver) - System.nanoTime())));
                if (puller.isAlive()) {
                    puller.interrupt(); // what its open pull still brings waits out AckWait
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped.countDown();
        stopBatcher(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        try {
            connection.flush(options.stopTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("{}/{}: flushing the last acknowledgements: {}", stream, options.durableName(), e.toString());
        }
    }

    @Override
    public long handledCount() {
        return handled.get();
    }

    private void stopBatcher(Duration timeout) {
        try {
            List<Message> left = new ArrayList<>(batcher.stop(timeout));
            handingBack = true;
            left.addAll(batcher.drain()); // arrived between the batcher's last look and handingBack
            left.forEach(Message::nak);
            if (!left.isEmpty()) {
                LOG.info("{}/{}: handed back {} unhandled events on close", stream, options.durableName(), left.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handingBack = true;
        }
    }
}
