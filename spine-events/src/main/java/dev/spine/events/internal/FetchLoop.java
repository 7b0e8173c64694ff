package dev.spine.events.internal;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of a subscription on JetStream: bounded fetches, each drained completely, every message handed
 * to a sink on the calling thread. Stopping means "finish the fetches already asked for", so nothing is
 * stranded: jnats' continuous {@code consume()}, once stopped, closes its inbox on the reader thread as the
 * last event of its pull arrives, before its dispatcher hands that event on, and the event then waits out
 * AckWait on the server. The next fetch is asked for when three quarters of the current one have arrived, so
 * the pull's round trip overlaps with handling (not in order: two open pulls share arriving events between
 * them, and draining one after the other would hand events over out of stream order).
 */
final class FetchLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FetchLoop.class);
    /** Pause before pulling again after the server could not be asked (e.g. while reconnecting). */
    private static final Duration PULL_RETRY_PAUSE = Duration.ofSeconds(1);
    /** When this share of a fetch has arrived, the next fetch is asked for. */
    private static final int PREFETCH_PERCENT = 75;

    /** Takes one message on the loop's thread. */
    @FunctionalInterface
    interface Sink {
        void accept(Message m) throws InterruptedException;
    }

    private final Connection connection;
    private final ConsumerContext context;
    private final FetchConsumeOptions fetchOptions;
    private final Duration pullExpiry;
    /** Arrivals in a fetch after which the next is asked for; 0: one fetch at a time. */
    private final int prefetchAt;
    private final String name;
    private volatile boolean stopping;

    /**
     * @param pullSize the events one fetch asks for
     * @param inOrder one fetch at a time, so events arrive in stream order
     * @param name the stream and durable, for the log
     */
    FetchLoop(Connection connection, ConsumerContext context, int pullSize, Duration pullExpiry, boolean inOrder,
            String name) {
        this.connection = connection;
        this.context = context;
        this.pullExpiry = pullExpiry;
        this.fetchOptions = FetchConsumeOptions.builder().maxMessages(pullSize).expiresIn(pullExpiry.toMillis()).build();
        this.prefetchAt = inOrder ? 0 : Math.max(1, pullSize * PREFETCH_PERCENT / 100);
        this.name = name;
    }

    /** No fetch is asked for after this; {@link #run} ends once the ones asked for are drained. */
    void stop() {
        stopping = true;
    }

    /**
     * Fetches and hands over until stopped and drained, the connection is closed or the thread interrupted;
     * a failed pull is retried after a pause.
     */
    void run(Sink sink) {
        FetchConsumer current = null;
        FetchConsumer next = null;
        int arrived = 0;
        try {
            while (true) {
                try {
                    if (current == null) {
                        if (next == null && stopping) {
                            return;
                        }
                        current = next != null ? next : pull();
                        next = null;
                        arrived = 0;
                    }
                    Message m = current.nextMessage();
                    if (m == null) {
                        current.close();
                        current = null;
                        continue;
                    }
                    if (++arrived == prefetchAt && next == null && !stopping) {
                        next = pull();
                    }
                    sink.accept(m);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    if (stopping || connection.getStatus() == Connection.Status.CLOSED) {
                        LOG.info("{}: pull loop ends: {}", name, e.toString());
                        return;
                    }
                    LOG.warn("{}: pull failed ({}); retrying in {}", name, e.toString(), PULL_RETRY_PAUSE);
                    current = closeQuietly(current);
                    Thread.sleep(PULL_RETRY_PAUSE.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(current);
            closeQuietly(next);
        }
    }

    /**
     * Asks for a fetch, and waits until the server has its pull. jnats ends a fetch by a timer of its own,
     * started at the first {@code nextMessage()}; the server ends the same pull by one started when the
     * request reaches it. Started first, the client's would end first, and an event the server sent in between
     * would go to an inbox already closed and wait out AckWait on the server (at 100 events/s one event in a
     * few thousand, 30 s late). The server answers the PING of a flush after the pull request before it, so
     * once the flush returns its timer runs ahead of ours. One round trip per fetch, not per event.
     */
    private FetchConsumer pull() throws IOException, JetStreamApiException, InterruptedException {
        FetchConsumer fetch = context.fetch(fetchOptions);
        try {
            connection.flush(pullExpiry);
        } catch (TimeoutException e) {
            // no answer within a pull's life (the connection is down): the fetch ends empty and is asked again
            LOG.debug("{}: no answer to a flush after a pull request", name);
        }
        return fetch;
    }

    /** Closes a fetch whose pull already failed; a second failure adds nothing worth reporting. */
    private FetchConsumer closeQuietly(FetchConsumer f) {
        if (f != null) {
            try {
                f.close();
            } catch (Exception e) {
                LOG.debug("{}: closing a failed fetch: {}", name, e.toString());
            }
        }
        return null;
    }
}
