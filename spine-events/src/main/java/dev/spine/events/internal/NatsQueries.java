package dev.spine.events.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.QueryException;
import dev.spine.events.QueryException.Reason;
import dev.spine.events.QueryResponder;
import dev.spine.events.ReceivedEvent;
import dev.spine.events.ResponderSubscription;
import dev.spine.events.StreamTopology;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request-reply over core NATS: a query is an envelope sent with a reply inbox on
 * {@link StreamTopology#querySubject}; responders of one group share the queries (queue subscription)
 * and answer with an envelope on the inbox, or with error headers so the requester fails at once instead
 * of timing out. Queries are not stored: a query nobody answers fails with {@code NO_RESPONDERS} or
 * {@code TIMEOUT}, never waits in a stream.
 */
public final class NatsQueries {
    private static final Logger LOG = LoggerFactory.getLogger(NatsQueries.class);
    static final String ERROR_CODE = "Spine-Error-Code";
    static final String ERROR = "Spine-Error";
    private static final int MAX_ERROR_LENGTH = 1000;
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private final Connection connection;
    private final StreamTopology topology;
    private final EventCodec codec;
    private final EventSchemas schemas;
    private final EventTracing tracing;

    public NatsQueries(Connection connection, StreamTopology topology, EventCodec codec, EventSchemas schemas,
            EventTracing tracing) {
        this.connection = connection;
        this.topology = topology;
        this.codec = codec;
        this.schemas = schemas;
        this.tracing = tracing;
    }

    /** The reply's event type: the query's {@code replyTo}, else its type with {@code Reply} appended. */
    public static String replyTypeOf(EventEnvelope query) {
        return query.replyTo() != null ? query.replyTo() : query.eventType() + "Reply";
    }

    public EventEnvelope query(EventEnvelope request, Duration timeout) {
        topology.domains().require(request.eventType());
        schemas.validate(request);
        String subject = topology.querySubject(request.eventType());
        Headers headers = new Headers();
        headers.put(SpineHeaders.EVENT_TYPE, request.eventType());
        headers.put(SpineHeaders.CORRELATION_ID, request.correlationId().toString());
        Span span = null;
        EventEnvelope toSend = request;
        if (tracing.enabled()) {
            span = tracing.startQuery(subject, request);
            toSend = request.toBuilder().traceContext(EventTracing.traceContextOf(span)).build();
            tracing.inject(span, headers);
        }
        try {
            EventEnvelope reply = exchange(subject, headers, codec.encode(toSend), request.eventType(), timeout);
            endSpan(span, null);
            return reply;
        } catch (RuntimeException e) {
            endSpan(span, e);
            throw e;
        }
    }

    private EventEnvelope exchange(String subject, Headers headers, byte[] body, String type, Duration timeout) {
        long start = System.nanoTime();
        CompletableFuture<Message> future = connection.requestWithTimeout(subject, headers, body, timeout);
        Message reply;
        try {
            // the future times itself out; the extra second only guards against a future that never completes
            reply = future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new QueryException(Reason.INTERRUPTED, type, "interrupted while waiting", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timeout(type, timeout, e);
        } catch (CancellationException e) {
            // jnats cancels the request future both for "no responders" (503) and for its own timeout
            if (System.nanoTime() - start < timeout.toNanos()) {
                throw noResponders(type, subject, e);
            }
            throw timeout(type, timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof JetStreamStatusException s && s.getStatus() != null && s.getStatus().getCode() == 503) {
                throw noResponders(type, subject, s);
            }
            if (cause instanceof TimeoutException || cause instanceof CancellationException) {
                if (System.nanoTime() - start < timeout.toNanos()) {
                    throw noResponders(type, subject, cause);
                }
                throw timeout(type, timeout, cause);
            }
            throw new QueryException(Reason.TIMEOUT, type, String.valueOf(cause), cause);
        }
        if (reply.isStatusMessage() && reply.getStatus().getCode() == 503) {
            throw noResponders(type, subject, null);
        }
        if (reply.hasHeaders() && reply.getHeaders().getFirst(ERROR_CODE) != null) {
            Reason reason = Reason.INVALID_REQUEST.name().equals(reply.getHeaders().getFirst(ERROR_CODE))
                    ? Reason.INVALID_REQUEST : Reason.RESPONDER_FAILED;
            throw new QueryException(reason, type, String.valueOf(reply.getHeaders().getFirst(ERROR)), null);
        }
        try {
            return codec.decode(reply.getData());
        } catch (InvalidEventException e) {
            throw new QueryException(Reason.INVALID_REPLY, type, e.getMessage(), e);
        }
    }

    private static QueryException timeout(String type, Duration timeout, Throwable cause) {
        return new QueryException(Reason.TIMEOUT, type, "no answer within " + timeout, cause);
    }

    private static QueryException noResponders(String type, String subject, Throwable cause) {
        return new QueryException(Reason.NO_RESPONDERS, type, "no responder is subscribed to " + subject, cause);
    }

    private static void endSpan(Span span, Throwable error) {
        if (span != null) {
            if (error != null) {
                span.recordException(error);
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }

    /** Subscribes {@code responder} to queries of {@code eventType} in queue group {@code group}. */
    public ResponderSubscription respond(String eventType, String group, String source, QueryResponder responder) {
        topology.domains().require(eventType);
        Responder r = new Responder(eventType, group, source, responder);
        r.start();
        return r;
    }

    private final class Responder implements ResponderSubscription {
        private final String eventType;
        private final String group;
        private final String source;
        private final QueryResponder responder;
        private final AtomicLong answered = new AtomicLong();
        private Dispatcher dispatcher;

        Responder(String eventType, String group, String source, QueryResponder responder) {
            this.eventType = eventType;
            this.group = group;
            this.source = source;
            this.responder = responder;
        }

        void start() {
            dispatcher = connection.createDispatcher(this::onQuery);
            dispatcher.subscribe(topology.querySubject(eventType), group);
            try {
                // a round trip, so the server knows the subscription when respond() returns: a query sent
                // right after (from any connection) must not be answered "no responders"
                connection.flush(SUBSCRIBE_TIMEOUT);
            } catch (TimeoutException e) {
                connection.closeDispatcher(dispatcher);
                throw new dev.spine.events.SpineException("the server did not confirm the responder for "
                        + eventType + " within " + SUBSCRIBE_TIMEOUT, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                connection.closeDispatcher(dispatcher);
                throw new dev.spine.events.SpineException("interrupted while subscribing a responder for " + eventType, e);
            }
        }

        private void onQuery(Message m) {
            if (m.getReplyTo() == null) {
                LOG.warn("query on {} without a reply subject; ignored (use request, not publish)", m.getSubject());
                return;
            }
            EventEnvelope query;
            try {
                query = codec.decode(m.getData());
            } catch (InvalidEventException e) {
                replyError(m, Reason.INVALID_REQUEST, e.getMessage());
                return;
            }
            Span span = tracing.enabled() ? tracing.startRespond(m, group, query) : null;
            try (Scope ignored = span == null ? null : span.makeCurrent()) {
                ObjectNode data = responder.answer(new ReceivedEvent(query, m.getSubject(), null, 0, 1));
                if (data == null) {
                    throw new IllegalStateException("the responder returned no answer");
                }
                EventEnvelope.Builder reply = query.followUp(replyTypeOf(query)).source(source).data(data);
                if (span != null) {
                    reply.traceContext(EventTracing.traceContextOf(span));
                }
                connection.publish(m.getReplyTo(), codec.encode(reply.build()));
            } catch (Exception e) {
                if (span != null) {
                    span.recordException(e);
                    span.setStatus(StatusCode.ERROR);
                }
                LOG.warn("responder {} for {} failed on {}", group, eventType, query, e);
                replyError(m, Reason.RESPONDER_FAILED, String.valueOf(e.getMessage()));
            } finally {
                if (span != null) {
                    span.end();
                }
                answered.incrementAndGet();
            }
        }

        private void replyError(Message m, Reason reason, String message) {
            Headers h = new Headers();
            h.put(ERROR_CODE, reason.name());
            String oneLine = message.replace('\r', ' ').replace('\n', ' '); // header values are single lines
            h.put(ERROR, oneLine.length() > MAX_ERROR_LENGTH ? oneLine.substring(0, MAX_ERROR_LENGTH) : oneLine);
            connection.publish(NatsMessage.builder().subject(m.getReplyTo()).headers(h).data(new byte[0]).build());
        }

        @Override
        public long answeredCount() {
            return answered.get();
        }

        @Override
        public void close() {
            if (dispatcher != null) {
                try {
                    // finishes the queries already received, then stops
                    dispatcher.drain(Duration.ofSeconds(5)).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.debug("draining responder {} for {}: {}", group, eventType, e.toString());
                    connection.closeDispatcher(dispatcher);
                }
            }
        }
    }
}
