package dev.spine.events.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.EventPublishException;
import dev.spine.events.EventPublishException.Reason;
import dev.spine.events.EventPublisher;
import dev.spine.events.PublishResult;
import dev.spine.events.StreamTopology;
import dev.spine.events.TraceContexts;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes over JetStream. The hot path is: domain check, schema lookup (a JSON Schema check only for
 * types that have one), one streaming encode, one header block,
 * one jnats call; no reflection, no tree building. Never sets the expected-stream header: nats-server
 * before 2.10.14 then silently leaves the message out of the streams that source it.
 */
public final class NatsEventPublisher implements EventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(NatsEventPublisher.class);
    /** Acks are handed back to the semaphore in chunks of maxInFlight / this. */
    private static final int RELEASE_CHUNK_DIVISOR = 16;

    private final JetStream js;
    private final Connection connection;
    private final StreamTopology topology;
    private final EventCodec codec;
    private final EventSchemas schemas;
    private final EventMetrics metrics;
    private final EventTracing tracing;
    private final int retries;
    private final Semaphore inFlight;
    /** Slots freed by acks but not yet handed back to the semaphore (see {@link #releaseSlot()}). */
    private final AtomicInteger freedNotReleased = new AtomicInteger();
    private final int releaseChunk;
    private final boolean failFastWhenFull;
    private final ConcurrentHashMap<String, String> subjects = new ConcurrentHashMap<>();

    public NatsEventPublisher(JetStream js, Connection connection, StreamTopology topology, EventCodec codec,
            EventSchemas schemas, EventMetrics metrics, EventTracing tracing, int retries, int maxInFlight,
            boolean failFastWhenFull) {
        this.js = js;
        this.connection = connection;
        this.topology = topology;
        this.codec = codec;
        this.schemas = schemas;
        this.metrics = metrics;
        this.tracing = tracing;
        this.retries = retries;
        this.inFlight = new Semaphore(maxInFlight);
        this.releaseChunk = Math.max(1, maxInFlight / RELEASE_CHUNK_DIVISOR);
        this.failFastWhenFull = failFastWhenFull;
    }

    /** A message ready to send, with its span (null when tracing is off). */
    private record Outgoing(Message message, String eventId, Span span, long startNanos) {}

    private Outgoing prepare(EventEnvelope event) {
        topology.domains().require(event.eventType());
        schemas.validate(event); // one map lookup for a type without schema
        String subject = subjects.computeIfAbsent(event.eventType(), topology::subjectFor);
        Headers headers = new Headers();
        String eventId = event.eventId().toString();
        headers.put(SpineHeaders.MSG_ID, eventId);
        headers.put(SpineHeaders.EVENT_TYPE, event.eventType());
        headers.put(SpineHeaders.CORRELATION_ID, event.correlationId().toString());
        Span span = null;
        EventEnvelope toSend = event;
        if (tracing.enabled()) {
            span = tracing.startPublish(subject, event);
            toSend = event.toBuilder().traceContext(EventTracing.traceContextOf(span)).build();
            tracing.inject(span, headers);
        } else {
            // no spans of ours, but the caller's may be current (its own SDK, not given to the spine): the event
            // carries that trace on, as on the buses that keep no headers
            toSend = TraceContexts.withCurrentTrace(event);
            if (toSend.traceContext() != null) {
                headers.put(SpineHeaders.TRACEPARENT, toSend.traceContext().traceparent());
                if (toSend.traceContext().tracestate() != null) {
                    headers.put(SpineHeaders.TRACESTATE, toSend.traceContext().tracestate());
                }
            }
        }
        byte[] body = codec.encode(toSend);
        Message m = NatsMessage.builder().subject(subject).headers(headers).data(body).build();
        return new Outgoing(m, eventId, span, System.nanoTime());
    }

    @Override
    public PublishResult publish(EventEnvelope event) {
        Outgoing out = prepare(event);
        for (int attempt = 0; ; attempt++) {
            try {
                PublishAck ack = js.publish(out.message);
                return succeeded(out, ack);
            } catch (IOException e) {
                String refused = permissionRefusal(out);
                if (refused != null) {
                    throw failed(out, Reason.REJECTED, new IOException(refused, e));
                }
                // may have been stored anyway: the same Nats-Msg-Id makes the retry a no-op in that case
                if (attempt >= retries) {
                    throw failed(out, Reason.UNAVAILABLE, e);
                }
                LOG.debug("publish of {} got no ack (attempt {}), retrying", out.eventId, attempt + 1);
            } catch (JetStreamApiException e) {
                throw failed(out, Reason.REJECTED, e);
            } catch (RuntimeException e) {
                throw failed(out, Reason.UNAVAILABLE, e);
            }
        }
    }

    @Override
    public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
        Outgoing out = prepare(event);
        acquireSlot(out);
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        send(out, result, 0);
        return result;
    }

    /**
     * Takes an in-flight slot. When none is free, first reclaims the slots freed since the last chunk
     * was released, then fails fast or blocks.
     */
    private void acquireSlot(Outgoing out) {
        if (inFlight.tryAcquire()) {
            return;
        }
        reclaimFreed();
        if (failFastWhenFull) {
            if (!inFlight.tryAcquire()) {
                endSpan(out, null);
                throw new EventPublishException(Reason.BACKPRESSURE, out.eventId,
                        "in-flight limit reached; wait for acknowledgements or raise maxInFlight", null);
            }
            return;
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(out, Reason.INTERRUPTED, e);
        }
    }

    /**
     * Frees a slot. Handing each one back separately would wake a blocked publisher once per ack (a
     * context switch per message on a small machine); chunks wake it once per {@code releaseChunk}
     * acks. No slot is lost: a publisher that finds none reclaims the unreleased ones itself, and a
     * blocked publisher has more than a chunk in flight (it holds every slot), so a chunk always comes.
     */
    private void releaseSlot() {
        if (releaseChunk == 1) {
            inFlight.release();
            return;
        }
        int freed = freedNotReleased.incrementAndGet();
        if (freed >= releaseChunk && freedNotReleased.compareAndSet(freed, 0)) {
            inFlight.release(freed);
        }
    }

    private void reclaimFreed() {
        int freed = freedNotReleased.getAndSet(0);
        if (freed > 0) {
            inFlight.release(freed);
        }
    }

    private void send(Outgoing out, CompletableFuture<PublishResult> result, int attempt) {
        CompletableFuture<PublishAck> ack;
        try {
            ack = js.publishAsync(out.message);
        } catch (RuntimeException e) {
            releaseSlot();
            result.completeExceptionally(failed(out, Reason.UNAVAILABLE, e));
            return;
        }
        ack.whenComplete((a, error) -> {
            if (error == null) {
                releaseSlot();
                result.complete(succeeded(out, a));
                return;
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            String refused = cause instanceof JetStreamApiException ? null : permissionRefusal(out);
            if (refused != null) {
                releaseSlot();
                result.completeExceptionally(failed(out, Reason.REJECTED, new IOException(refused, cause)));
                return;
            }
            if (!(cause instanceof JetStreamApiException) && attempt < retries) {
                LOG.debug("async publish of {} failed (attempt {}): {}; retrying", out.eventId, attempt + 1, cause.toString());
                send(out, result, attempt + 1);
                return;
            }
            releaseSlot();
            result.completeExceptionally(failed(out,
                    cause instanceof JetStreamApiException ? Reason.REJECTED : Reason.UNAVAILABLE, cause));
        });
    }

    /**
     * NATS answers a publish its permissions refuse with no reply at all, only an -ERR that the connection
     * keeps as its last error: a timed-out publish whose subject that error names was refused, not lost, and
     * retrying cannot help.
     */
    private String permissionRefusal(Outgoing out) {
        String last = connection.getLastError();
        String subject = out.message.getSubject();
        return last != null && last.contains("Permissions Violation") && last.contains("\"" + subject + "\"")
                ? "NATS refused the publish to " + subject + " (this connection's permissions): " + last : null;
    }

    private PublishResult succeeded(Outgoing out, PublishAck ack) {
        metrics.published.inc();
        metrics.publishTook(System.nanoTime() - out.startNanos);
        endSpan(out, null);
        return new PublishResult(ack.getStream(), ack.getSeqno(), ack.isDuplicate());
    }

    private EventPublishException failed(Outgoing out, Reason reason, Throwable cause) {
        metrics.publishFailed.inc();
        endSpan(out, cause);
        return new EventPublishException(reason, out.eventId, String.valueOf(cause == null ? "" : cause.getMessage()),
                cause);
    }

    private static void endSpan(Outgoing out, Throwable error) {
        if (out.span != null) {
            if (error != null) {
                out.span.recordException(error);
                out.span.setStatus(StatusCode.ERROR);
            }
            out.span.end();
        }
    }
}
