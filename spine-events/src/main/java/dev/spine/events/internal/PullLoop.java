package dev.spine.events.internal;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of a subscription on JetStream: pull requests through ONE inbox that lives as long as the
 * loop, every message handed to a sink on the calling thread. The next pull is asked for when three quarters
 * of the current one have arrived, so its round trip overlaps with handling; the server fills the older pull
 * first and both answer on the one inbox, so events still arrive in stream order.
 *
 * <p>Why not jnats' simplified API: its {@code fetch()} opens an inbox per pull and closes it by a timer of
 * its own, started before the server's (the request is still on its way), so an event the server sent in a
 * pull's last moments went to a closed inbox and waited out AckWait on the server (at 100 events/s one in a
 * few thousand, 30 s late); its continuous {@code consume()}, once stopped, closes its inbox on the reader
 * thread as the last event of its pull arrives, before the dispatcher hands that event on, so every close
 * under traffic left events for AckWait, and on nats-server before 2.9.15 (which can drop an expiring pull
 * without its 408) it waited for its heartbeat alarm, about 2 s, before pulling again. Here a pull ends when
 * it has brought all it asked for, when the server says it expired, or when nothing came for a pull's life;
 * an event of an earlier pull that arrives later still lands in the inbox and is handed over with the next.
 * Stopping means "finish the pulls asked for": nothing is stranded.
 */
final class PullLoop {
    private static final Logger LOG = LoggerFactory.getLogger(PullLoop.class);
    /** Pause before pulling again after the server could not be asked (e.g. while reconnecting). */
    private static final Duration PULL_RETRY_PAUSE = Duration.ofSeconds(1);
    /**
     * After the last pull, how long the inbox stays open for an event the server sent just before that pull
     * expired on its side (the client may stop waiting a little earlier when no 408 came).
     */
    private static final Duration LAST_PULL_GRACE = Duration.ofMillis(200);
    /** When this share of a pull has arrived, the next is asked for. */
    private static final int RENEW_PERCENT = 75;

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
    /** Arrivals after which the next pull is asked for, so its round trip overlaps with handling. */
    private final int renewAt;
    private final String name;
    private volatile boolean stopping;

    /** @param pullSize the events one pull asks for */
    PullLoop(Connection connection, String stream, String durable, int pullSize, Duration pullExpiry) {
        this.connection = connection;
        this.stream = stream;
        this.durable = durable;
        this.pullSize = pullSize;
        this.pullExpiry = pullExpiry;
        this.renewAt = Math.max(1, pullSize * RENEW_PERCENT / 100);
        this.name = stream + "/" + durable;
    }

    /** No pull is asked for after this; {@link #run} ends once the one asked for is drained. */
    void stop() {
        stopping = true;
    }

    /**
     * Pulls and hands over until stopped and drained, the connection is closed or the thread interrupted; a
     * failed pull is retried after a pause.
     */
    void run(Sink sink) {
        JetStreamSubscription sub = null;
        try {
            while (true) {
                try {
                    if (sub == null) {
                        sub = subscribe();
                    }
                    if (stopping) {
                        handOverLate(sub, sink);
                        return;
                    }
                    Iterator<Message> pull = sub.iterate(pullSize, pullExpiry);
                    int arrived = 0;
                    while (pull.hasNext()) {
                        sink.accept(pull.next());
                        if (++arrived == renewAt && !stopping) {
                            break; // the next pull now: the rest of this one lands in the same inbox, taken first
                        }
                    }
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

    /** The subscription every pull of this loop answers to (bound to the durable, which must exist). */
    private JetStreamSubscription subscribe() throws IOException, JetStreamApiException {
        return connection.jetStream().subscribe(null, PullSubscribeOptions.fastBind(stream, durable));
    }

    /** After the last pull: what still arrives within the grace is handed over too. */
    private void handOverLate(JetStreamSubscription sub, Sink sink) throws InterruptedException {
        long end = System.nanoTime() + LAST_PULL_GRACE.toNanos();
        for (long left = LAST_PULL_GRACE.toNanos(); left > 0; left = end - System.nanoTime()) {
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
