package dev.spine.events.internal;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventHandler;
import dev.spine.events.EventLogContext;
import dev.spine.events.EventRejectedException;
import dev.spine.events.EventSubscription;
import dev.spine.events.ReceivedEvent;
import dev.spine.events.SpineException;
import dev.spine.events.StreamTopology;
import dev.spine.events.SubscriptionOptions;
import dev.spine.events.TraceContexts;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running durable pull consumer (simplified consumer API, with heartbeats, which survives
 * reconnects). Handlers run one at a time on the subscription's own thread. Success acks; failure
 * naks with the backoff delay (a plain nak would ignore backoff); the last allowed delivery, or an
 * {@link EventRejectedException}, copies the event to dead letters and terms it. A watchdog sends {@code inProgress()} for a handler that runs
 * longer than a third of AckWait, so long handlers are not redelivered under their feet.
 *
 * <p>Ordered mode ({@link SubscriptionOptions#orderedByPartitionKey}): one pull at a time (messages then
 * arrive in stream order), each message goes to the lane of its partition key, lanes run in parallel,
 * a failure is retried in place; every message a lane holds is kept alive with {@code inProgress()}.
 */
public final class NatsSubscription implements EventSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(NatsSubscription.class);
    private static final String REASON_MALFORMED = "malformed";
    private static final String REASON_MAX_DELIVERIES = "max-deliveries";
    private static final String REASON_REJECTED = "rejected";

    private final Connection connection;
    private final SubscriptionOptions options;
    private final StreamTopology topology;
    private final EventCodec codec;
    private final EventHandler handler;
    private final DeadLetterWriter deadLetters;
    private final EventMetrics metrics;
    private final EventTracing tracing;
    private final String stream;
    private final long inProgressAfterNanos;
    private final AtomicLong handled = new AtomicLong();
    private volatile Message current;
    private volatile long currentStartNanos;
    private volatile boolean stopping;
    private final PullLoop pulls;
    private Thread loop;
    private ScheduledFuture<?> watchdog;
    private boolean closed;
    /** Ordered mode only: the lanes, and every message handed to them but not finished, with its arrival time. */
    private OrderedLanes<Keyed> lanes;
    private final Map<Message, Long> inLanes = new ConcurrentHashMap<>();

    /** A message on its way to a lane, decoded once (null envelope: malformed, the lane dead-letters it). */
    private record Keyed(Message message, EventEnvelope envelope, InvalidEventException malformed) {}

    /** Adapts the platform's legacy event shapes; null: a body the codec refuses is malformed. */
    private final EnvelopeAdapter adapter;

    public NatsSubscription(Connection connection, SubscriptionOptions options, StreamTopology topology,
            EventCodec codec, EnvelopeAdapter adapter, EventHandler handler, DeadLetterWriter deadLetters,
            EventMetrics metrics, EventTracing tracing) {
        this.connection = connection;
        this.adapter = adapter;
        this.options = options;
        this.topology = topology;
        this.codec = codec;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.tracing = tracing;
        this.stream = options.stream() == null ? topology.platformStream() : options.stream();
        this.pulls = new PullLoop(connection, stream, options, options.batchSize());
        this.inProgressAfterNanos = options.ackWait().toNanos() / 3;
    }

    /** Starts the pull loop; the consumer itself must already exist (see {@link DurableConsumers}). */
    public synchronized void start(ScheduledExecutorService timer) {
        if (options.orderedByPartitionKey()) {
            lanes = new OrderedLanes<>(options.orderedLanes(), options.batchSize(), options.durableName(),
                    this::onOrderedMessage);
            lanes.start();
        }
        long period = Math.max(1, inProgressAfterNanos / 2);
        watchdog = timer.scheduleAtFixedRate(this::keepAlive, period, period, TimeUnit.NANOSECONDS);
        loop = new Thread(this::run, "spine-" + options.durableName());
        loop.setDaemon(true);
        loop.start();
    }

    /** The handler thread: what the pulls bring, one event at a time (in order: to its key's lane). */
    private void run() {
        pulls.run(m -> {
            if (lanes != null) {
                dispatchOrdered(m);
            } else {
                onMessage(m);
            }
        });
    }

    private void onMessage(Message m) {
        current = m;
        long start = System.nanoTime();
        currentStartNanos = start;
        DeliveryPosition meta = DeliveryPosition.of(m);
        long delivered = meta.deliveredCount();
        if (delivered > 1) {
            metrics.redelivered.inc();
        }
        try {
            EventEnvelope envelope;
            try {
                envelope = decode(m.getData());
            } catch (InvalidEventException e) {
                LOG.warn("{}/{}: event at sequence {} is malformed ({}); moving it to dead letters",
                        stream, options.durableName(), meta.streamSequence(), e.getMessage());
                deadLetter(m, REASON_MALFORMED, e, delivered);
                return;
            }
            EventLogContext.enter(envelope);
            Span span = tracing.enabled() ? tracing.startProcess(m, options.durableName(), envelope, delivered) : null;
            try (Scope ignored = TraceContexts.handlerContext(envelope, span).makeCurrent()) {
                handler.handle(new ReceivedEvent(envelope, m.getSubject(), stream, meta.streamSequence(), delivered));
                m.ack();
                handled.incrementAndGet();
                metrics.delivered.inc();
            } catch (Exception e) {
                if (span != null) {
                    span.recordException(e);
                    span.setStatus(StatusCode.ERROR);
                }
                failed(m, e, delivered);
            } finally {
                if (span != null) {
                    span.end();
                }
            }
        } finally {
            EventLogContext.exit();
            current = null;
            metrics.handlerTook(System.nanoTime() - start);
        }
    }

    private void failed(Message m, Exception error, long delivered) {
        metrics.failed.inc();
        if (error instanceof EventRejectedException) {
            LOG.warn("{}/{}: {} rejected by its handler on delivery {}; moving it to dead letters: {}", stream,
                    options.durableName(), m.getSubject(), delivered, error.getMessage());
            deadLetter(m, REASON_REJECTED, error, delivered);
        } else if (options.isLastDelivery(delivered)) {
            LOG.warn("{}/{}: {} failed on delivery {} of {}; moving it to dead letters", stream,
                    options.durableName(), m.getSubject(), delivered, options.maxDeliver(), error);
            deadLetter(m, REASON_MAX_DELIVERIES, error, delivered);
        } else {
            Duration delay = options.backoffAfter(delivered);
            LOG.info("{}/{}: {} failed on delivery {} of {}, retry in {}: {}", stream, options.durableName(),
                    m.getSubject(), delivered, options.maxDeliver(), delay, error.toString());
            m.nakWithDelay(delay);
        }
    }

    private void deadLetter(Message m, String reason, Exception error, long delivered) {
        try {
            deadLetters.write(m, options.durableName(), reason, error);
            m.term();
            metrics.deadLettered.inc();
        } catch (Exception e) {
            // not stored as a dead letter, so not terminated either: the event stays in its stream
            if (!options.isLastDelivery(delivered)) {
                LOG.error("{}/{}: cannot write dead letter for sequence {}; it will be redelivered", stream,
                        options.durableName(), m.metaData().streamSequence(), e);
                m.nakWithDelay(options.backoffAfter(delivered));
            } else {
                LOG.error("{}/{}: cannot write dead letter for sequence {} on its last delivery; it stays in {} "
                        + "unacknowledged and will not be delivered again to this durable (replay it by sequence)",
                        stream, options.durableName(), m.metaData().streamSequence(), stream, e);
            }
        }
    }

    /** The event of a message: canonical as the codec reads it, or a legacy shape adapted. */
    private EventEnvelope decode(byte[] data) {
        return adapter == null ? codec.decode(data) : adapter.decode(codec, data).event();
    }

    private void dispatchOrdered(Message m) throws InterruptedException {
        inLanes.put(m, System.nanoTime());
        EventEnvelope envelope = null;
        InvalidEventException malformed = null;
        try {
            envelope = decode(m.getData());
        } catch (InvalidEventException e) {
            malformed = e;
        }
        String key = envelope != null && envelope.partitionKey() != null ? envelope.partitionKey()
                : Long.toString(m.metaData().streamSequence()); // no key: any lane, no order promised
        lanes.dispatch(new Keyed(m, envelope, malformed), key);
    }

    /**
     * Runs on a lane: like {@link #onMessage} but a failure is retried here, after its backoff, so the
     * events queued behind it on this key wait (a nak would let them overtake it).
     */
    private void onOrderedMessage(Keyed k) {
        Message m = k.message;
        NatsJetStreamMetaData meta = m.metaData();
        long start = System.nanoTime();
        try {
            if (k.envelope == null) {
                LOG.warn("{}/{}: event at sequence {} is malformed ({}); moving it to dead letters",
                        stream, options.durableName(), meta.streamSequence(), k.malformed.getMessage());
                deadLetter(m, REASON_MALFORMED, k.malformed, meta.deliveredCount());
                return;
            }
            EventLogContext.enter(k.envelope);
            for (long delivered = meta.deliveredCount(); ; delivered++) {
                if (delivered > 1) {
                    metrics.redelivered.inc();
                }
                Span span = tracing.enabled() ? tracing.startProcess(m, options.durableName(), k.envelope, delivered) : null;
                try (Scope ignored = TraceContexts.handlerContext(k.envelope, span).makeCurrent()) {
                    handler.handle(new ReceivedEvent(k.envelope, m.getSubject(), stream, meta.streamSequence(), delivered));
                    m.ack();
                    handled.incrementAndGet();
                    metrics.delivered.inc();
                    return;
                } catch (Exception e) {
                    if (span != null) {
                        span.recordException(e);
                        span.setStatus(StatusCode.ERROR);
                    }
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    if (e instanceof EventRejectedException || options.isLastDelivery(delivered)
                            || stopping || Thread.currentThread().isInterrupted()) {
                        failed(m, e, delivered); // dead letter, or (stopping) a nak that keeps it for later
                        return;
                    }
                    metrics.failed.inc();
                    Duration delay = options.backoffAfter(delivered);
                    LOG.info("{}/{}: {} failed on delivery {} of {}, retrying in place in {}: {}", stream,
                            options.durableName(), m.getSubject(), delivered, options.maxDeliver(), delay, e.toString());
                    try {
                        Thread.sleep(delay.toMillis()); // the backoff itself: the key's next events must wait
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        m.nakWithDelay(delay);
                        return;
                    }
                } finally {
                    if (span != null) {
                        span.end();
                    }
                }
            }
        } finally {
            EventLogContext.exit();
            inLanes.remove(m);
            metrics.handlerTook(System.nanoTime() - start);
        }
    }

    private void keepAlive() {
        Message m = current;
        if (m != null && System.nanoTime() - currentStartNanos > inProgressAfterNanos) {
            m.inProgress();
        }
        if (!inLanes.isEmpty()) {
            long now = System.nanoTime();
            // queued and retrying events age too: keep every one the lanes hold from being redelivered
            inLanes.forEach((msg, since) -> {
                if (now - since > inProgressAfterNanos) {
                    msg.inProgress();
                }
            });
        }
    }

    @Override
    public String durableName() {
        return options.durableName();
    }

    @Override
    public long handledCount() {
        return handled.get();
    }

    /**
     * Stops asking for more events without waiting; {@link #close()} then waits for what is in flight.
     * The spine calls this on every subscription first, so their last pulls run out together.
     */
    public void beginStop() {
        stopping = true;
        pulls.stop();
    }

    /**
     * Stop order: no new pull; the pull asked for is finished (every message it brings is handled and
     * acked; it ends when full or after pullExpiry), up to stopTimeout; the acks are flushed; the
     * watchdog stops.
     */
    @Override
    public synchronized void close() {
        if (closed || loop == null) {
            closed = true;
            return;
        }
        closed = true;
        beginStop();
        try {
            long deadline = System.nanoTime() + options.stopTimeout().toNanos();
            loop.join(options.stopTimeout().toMillis());
            if (loop.isAlive()) {
                LOG.warn("{}/{}: stop timed out after {}; unhandled events will be redelivered after AckWait",
                        stream, options.durableName(), options.stopTimeout());
            }
            if (lanes != null) {
                lanes.finish(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            connection.flush(options.stopTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpineException("interrupted while stopping " + stream + "/" + options.durableName(), e);
        } catch (Exception e) {
            throw new SpineException("cannot close " + stream + "/" + options.durableName() + " cleanly", e);
        } finally {
            watchdog.cancel(false);
        }
    }
}
