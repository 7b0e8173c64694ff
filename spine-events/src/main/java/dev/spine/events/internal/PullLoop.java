package dev.spine.events.internal;

import dev.spine.events.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of a subscription on JetStream: one pull request at a time through ONE inbox that lives as
 * long as the loop, every message handed to a sink on the calling thread; the next pull is asked for when the
 * current one is filled or over (one round trip per pull, not per event).
 *
 * <p>Why not jnats' simplified API: its {@code fetch()} opens an inbox per pull and closes it by a timer of
 * its own, started before the server's (the request is still on its way), so an event the server sent in a
 * pull's last moments went to a closed inbox and waited out AckWait on the server (at 100 events/s one in a
 * few thousand, 30 s late); its continuous {@code consume()}, once stopped, closes its inbox on the reader
 * thread as the last event of its pull arrives, before the dispatcher hands that event on, so every close
 * under traffic left events for AckWait, and on nats-server before 2.9.15 (which can drop an expiring pull
 * without its 408) it waited for its heartbeat alarm, about 2 s, before pulling again. Here a pull ends when
 * it has brought all it asked for, when the server says it expired, or at the latest just after its life on the
 * server is over: nats-server before 2.9.15 sometimes ends a partly filled pull without its 408, and jnats'
 * iterator, which waits a pull's whole life for each next event, then sat out up to another pull's life (the
 * job service's ingest at a few hundred events a second: a second's stall every ~20 s). An iterator waiting
 * past that point is cut off by interrupting its wait, which takes nothing off the inbox (jnats' queue checks
 * the interrupt before it dequeues); an event of an earlier pull that arrives later still lands in the inbox and
 * is handed over with the next. Stopping means "finish the pull asked for": nothing is stranded.
 */
final class PullLoop {
    private static final Logger LOG = LoggerFactory.getLogger(PullLoop.class);
    /** Pause before pulling again after the server could not be asked (e.g. while reconnecting). */
    private static final Duration PULL_RETRY_PAUSE = Duration.ofSeconds(1);
    /**
     * After the last pull's life (its expiry, counted from when it was asked for), how long the inbox stays open
     * for the events the server sent before that pull ended on its side.
     */
    private static final Duration LAST_PULL_GRACE = Duration.ofMillis(200);
    /** After a pull's life, how long its iterator may still wait for the server's word that it ended. */
    private static final Duration PULL_OVER_GRACE = Duration.ofMillis(50);
    /** Cuts off iterators waiting past their pull's end (one short task per pull, shared by every loop). */
    private static final ScheduledExecutorService CUTTER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spine-pull-cutter");
        t.setDaemon(true);
        return t;
    });
    /** {@link #waiting}'s value while the loop's thread is not inside an iterator's wait. */
    private static final long NOT_WAITING = 0;
    /** {@link #waiting}'s value once a wait has been cut off (its interrupt is on its way or has landed). */
    private static final long CUT = -1;

    /** Takes one message on the loop's thread. */
    @FunctionalInterface
    interface Sink {
        void accept(Message m) throws InterruptedException;
    }

    private final Connection connection;
    private final String stream;
    private final String durable;
    private final int pullSize;
    private final Duration pullExpiry;
    private final String name;
    private volatile boolean stopping;
    /** The number of the pull whose iterator the loop's thread waits in, {@link #NOT_WAITING} or {@link #CUT}. */
    private final AtomicLong waiting = new AtomicLong(NOT_WAITING);
    private long pulls;

    /**
     * The loop of {@code options}' durable on {@code stream}: each pull asks for the options' pull size, else
     * {@code defaultPullSize}, never more than the durable's max ack pending, and lives its pull expiry.
     */
    PullLoop(Connection connection, String stream, SubscriptionOptions options, int defaultPullSize) {
        this.connection = connection;
        this.stream = stream;
        this.durable = options.durableName();
        this.pullSize = Math.min(options.maxAckPending(), options.pullSize() > 0 ? options.pullSize() : defaultPullSize);
        this.pullExpiry = options.pullExpiry();
        this.name = stream + "/" + durable;
    }

    /** No pull is asked for after this; {@link #run} ends once the one asked for is drained. */
    void stop() {
        stopping = true;
    }

    /**
     * How long after {@link #stop()} {@link #run} takes at most to end, its sink aside: the last pull's life
     * (counted from before it was asked for, so from before the stop) and the grace for its late events.
     */
    Duration stopsWithin() {
        return pullExpiry.plus(LAST_PULL_GRACE);
    }

    /**
     * Pulls and hands over until stopped and drained, the connection is closed or the thread interrupted; a
     * failed pull is retried after a pause.
     */
    void run(Sink sink) {
        JetStreamSubscription sub = null;
        long lastPullAt = System.nanoTime();
        try {
            while (true) {
                try {
                    if (sub == null) {
                        sub = subscribe();
                    }
                    if (stopping) {
                        handOverLate(sub, sink, lastPullAt);
                        return;
                    }
                    lastPullAt = System.nanoTime();
                    drain(sub.iterate(pullSize, pullExpiry), lastPullAt + pullExpiry.toNanos()
                            + PULL_OVER_GRACE.toNanos(), sink);
                    if (Thread.currentThread().isInterrupted()) {
                        return; // hasNext() was interrupted: close() gave up waiting
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    if (stopping || connection.getStatus() == Connection.Status.CLOSED) {
                        LOG.info("{}: pull loop ends: {}", name, e.toString());
                        return;
                    }
                    LOG.warn("{}: pull failed ({}); retrying in {}", name, e.toString(), PULL_RETRY_PAUSE);
                    Thread.sleep(PULL_RETRY_PAUSE.toMillis()); // back off from a failing server, not synchronisation
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unsubscribeQuietly(sub);
        }
    }

    /**
     * One pull, drained to its end (an iterator left early drops the events it already took off the inbox), or
     * until {@code overAt} (nanoTime) has passed while it waits for more: then the pull is over on the server.
     */
    private void drain(Iterator<Message> pull, long overAt, Sink sink) throws InterruptedException {
        long id = ++pulls;
        Thread self = Thread.currentThread();
        ScheduledFuture<?> cut = CUTTER.schedule(() -> {
            if (waiting.compareAndSet(id, CUT)) {
                self.interrupt();
            }
        }, Math.max(0, overAt - System.nanoTime()), TimeUnit.NANOSECONDS);
        try {
            while (hasNext(pull, id, overAt)) {
                sink.accept(pull.next());
            }
        } finally {
            cut.cancel(false);
        }
    }

    /**
     * The iterator's next, its wait cut off once the pull is over (by the cutter, or here when that time has
     * already passed): the interrupt ends the wait without taking an event, and is cleared again here, so the
     * sink never sees it. An interrupt from elsewhere (close() giving up) is kept, unless it lands on a wait being
     * cut at that moment: the loop then ends as a stopped loop does, after its last pull's life.
     */
    private boolean hasNext(Iterator<Message> pull, long id, long overAt) {
        waiting.set(id);
        if (System.nanoTime() - overAt >= 0 && waiting.compareAndSet(id, CUT)) {
            Thread.currentThread().interrupt();
        }
        try {
            return pull.hasNext();
        } finally {
            if (!waiting.compareAndSet(id, NOT_WAITING)) {
                while (!Thread.interrupted()) {
                    Thread.onSpinWait(); // the cutter won the race and is about to interrupt: take that interrupt
                }
                waiting.set(NOT_WAITING);
            }
        }
    }

    /** The subscription every pull of this loop answers to (bound to the durable, which must exist). */
    private JetStreamSubscription subscribe() throws IOException, JetStreamApiException {
        return connection.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, durable));
    }

    /**
     * After the last pull: an iterator ends when it has as many events as it asked for, counting those of
     * earlier pulls still arriving, so pulls asked for may still owe events; every pull has ended on the server
     * one pull's life after the last was asked for, and what arrives until then (and a grace) is handed over.
     */
    private void handOverLate(JetStreamSubscription sub, Sink sink, long lastPullAt) throws InterruptedException {
        long end = Math.max(lastPullAt + pullExpiry.toNanos(), System.nanoTime()) + LAST_PULL_GRACE.toNanos();
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            Message m = sub.nextMessage(Duration.ofNanos(left));
            if (m != null) {
                sink.accept(m);
            }
        }
    }

    private void unsubscribeQuietly(JetStreamSubscription sub) {
        if (sub != null) {
            try {
                sub.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debug("{}: unsubscribing: {}", name, e.toString());
            }
        }
    }
}
