package dev.spine.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.TypedEvent;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.internal.DeadLetterWriter;
import dev.spine.events.internal.DurableConsumers;
import dev.spine.events.internal.EventMetrics;
import dev.spine.events.internal.EventTracing;
import dev.spine.events.internal.MaxDeliveriesWatcher;
import dev.spine.events.internal.NatsBatchSubscription;
import dev.spine.events.internal.NatsEventPublisher;
import dev.spine.events.internal.NatsLiveFeed;
import dev.spine.events.internal.NatsStreams;
import dev.spine.events.internal.NatsQueries;
import dev.spine.events.internal.NatsSubscription;
import dev.spine.events.internal.StreamProvisioner;
import dev.spine.events.internal.StreamReader;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry object of the spine's event layer over one NATS connection: provisioning, publishing,
 * subscribing, replay, dead letters and request-reply queries. Thread-safe. Build with
 * {@link #builder(Connection)} (you own the connection) or {@link #builder(String)} (the spine connects,
 * reconnects forever, and closes it).
 *
 * <p>Shutdown order ({@link #close()}): subscriptions stop in reverse order of creation (each stops
 * pulling, finishes and acks in-flight events), then responders drain (answering the queries they
 * already received), then the max-deliveries watchers and the keep-alive timer stop, then an owned connection drains and closes. Pending async publishes are not awaited: wait on their futures first.
 */
public final class Spine implements EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(Spine.class);

    private final Connection connection;
    private final boolean ownsConnection;
    private final StreamTopology topology;
    private final EventCodec codec;
    private final EnvelopeAdapter adapter;
    private final EventMetrics metrics;
    private final EventTracing tracing;
    private final NatsEventPublisher publisher;
    private final DeadLetterWriter deadLetterWriter;
    private final DurableConsumers consumers;
    private final StreamReader reader;
    private final DeadLetters deadLetters;
    private final NatsQueries queries;
    private final String source;
    private final NatsStreams streams;
    private final List<NatsSubscription> subscriptions = new ArrayList<>();
    private final List<NatsBatchSubscription> batchSubscriptions = new ArrayList<>();
    private final List<ResponderSubscription> responders = new ArrayList<>();
    /** One max-deliveries backstop per stream/durable this spine subscribed, alive until {@link #close()}. */
    private final Map<String, MaxDeliveriesWatcher> watchers = new HashMap<>();
    private ScheduledExecutorService keepAliveTimer;
    private boolean closed;

    private Spine(SpineBuilder b, Connection connection, boolean ownsConnection) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.topology = b.topology;
        this.codec = b.codec;
        this.adapter = b.adapter;
        this.metrics = new EventMetrics(b.metricRegistry);
        this.tracing = new EventTracing(b.openTelemetry);
        JetStream js;
        try {
            js = connection.jetStream(JetStreamOptions.builder().requestTimeout(b.publishTimeout).build());
        } catch (IOException e) {
            throw new SpineException("JetStream is not available on " + connection.getConnectedUrl(), e);
        }
        this.publisher = new NatsEventPublisher(js, connection, topology, codec, b.schemas, metrics, tracing, b.publishRetries,
                b.maxInFlight, b.whenFull == SpineBuilder.WhenFull.FAIL_FAST);
        this.deadLetterWriter = new DeadLetterWriter(js, topology, b.clock);
        this.consumers = new DurableConsumers(connection, topology);
        this.reader = new StreamReader(connection);
        this.streams = new NatsStreams(connection, topology, reader, codec);
        this.queries = new NatsQueries(connection, topology, codec, b.schemas, tracing);
        this.source = b.source;
        try {
            this.deadLetters = new DeadLetters(topology, reader, js, connection.jetStreamManagement());
        } catch (IOException e) {
            throw new SpineException("JetStream management is not available", e);
        }
    }

    /** A spine over a connection you manage (and close after the spine). */
    public static SpineBuilder builder(Connection connection) {
        return new SpineBuilder(connection, null);
    }

    /**
     * A spine that connects with {@code settings} (servers, authentication, TLS; e.g.
     * {@link NatsConnections#fromEnvironment}) in {@code build()}, reconnects forever and owns the connection:
     * a service needs no NATS type of its own.
     */
    public static SpineBuilder builder(NatsConnections settings, String connectionName) {
        return new SpineBuilder(null, null, java.util.Objects.requireNonNull(settings, "settings"), connectionName);
    }

    /** A spine that connects to {@code natsUrl} in {@code build()}, reconnects forever and owns the connection. */
    public static SpineBuilder builder(String natsUrl) {
        return new SpineBuilder(null, natsUrl);
    }

    static Spine create(SpineBuilder b) {
        if (b.connection != null) {
            return new Spine(b, b.connection, false);
        }
        if (b.settings != null) {
            return new Spine(b, b.settings.connect(b.connectionName), true);
        }
        Options options = new Options.Builder().server(b.natsUrl).connectionName("spine").maxReconnects(-1)
                .connectionTimeout(b.publishTimeout).build();
        try {
            return new Spine(b, Nats.connect(options), true);
        } catch (IOException e) {
            throw new SpineException("cannot connect to NATS at " + b.natsUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpineException("interrupted while connecting to NATS at " + b.natsUrl, e);
        }
    }

    /**
     * Deletes every stream of the topology (and with them their consumers and events); false for a stream
     * that did not exist. For demos and test resets, never in production: events are gone for good.
     */
    public void deleteStreams() {
        new StreamProvisioner(jsm(), topology).deleteAll();
    }

    /**
     * Publishes {@code data} on the subject of {@code eventType} as it is, without validation, dedupe id or
     * headers: what a foreign or broken client would send. For demos and tests of the paths that must
     * survive malformed input (the job service's rejected events); a service publishes with
     * {@link #publish}.
     *
     * @return the stream sequence it was stored at
     */
    public long publishUnchecked(String eventType, byte[] data) {
        try {
            return connection.jetStream().publish(topology.subjectFor(eventType), data).getSeqno();
        } catch (IOException | io.nats.client.JetStreamApiException e) {
            throw new SpineException("cannot publish to " + topology.subjectFor(eventType) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the topology's missing streams and adds subjects the existing ones lack; idempotent and safe to
     * run from many processes at once. It never removes subjects, lowers replicas or shortens retention: each
     * such difference is logged once as a WARN and left for {@link #applyStreams()}.
     */
    public void provision() {
        new StreamProvisioner(jsm(), topology).provision();
    }

    /** Every difference between the streams on the server and this spine's topology (nothing is changed). */
    public List<StreamChange> planStreams() {
        return new StreamProvisioner(jsm(), topology).plan();
    }

    /**
     * Makes the streams exactly what this spine's topology says, shrinking included (removed subjects stop
     * capturing, shorter retention drops stored events); returns the changes made. An operator's act
     * ({@code spine streams apply}), never a process's start.
     */
    public List<StreamChange> applyStreams() {
        return new StreamProvisioner(jsm(), topology).apply();
    }

    private JetStreamManagement jsm() {
        try {
            return connection.jetStreamManagement();
        } catch (IOException e) {
            throw new SpineException("JetStream management is not available", e);
        }
    }

    @Override
    public PublishResult publish(EventEnvelope event) {
        return publisher.publish(event);
    }

    @Override
    public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
        return publisher.publishAsync(event);
    }

    /** Creates or updates the durable consumer, then starts delivering to {@code handler}. */
    @Override
    public synchronized EventSubscription subscribe(SubscriptionOptions options, EventHandler handler) {
        if (closed) {
            throw new IllegalStateException("spine is closed");
        }
        consumers.ensure(options);
        if (keepAliveTimer == null) {
            keepAliveTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "spine-keepalive");
                t.setDaemon(true);
                return t;
            });
        }
        NatsSubscription s = new NatsSubscription(connection, options, topology, codec, adapter, handler,
                deadLetterWriter, metrics, tracing);
        s.start(keepAliveTimer);
        subscriptions.add(s);
        watchMaxDeliveries(options);
        return s;
    }

    /** The backstop for events whose handler never returned on their last delivery (see DESIGN). */
    private void watchMaxDeliveries(SubscriptionOptions options) {
        if (options.maxDeliver() == SubscriptionOptions.UNLIMITED_DELIVERIES) {
            return;
        }
        String stream = streamOf(options);
        watchers.computeIfAbsent(stream + "/" + options.durableName(), k -> {
            MaxDeliveriesWatcher w = new MaxDeliveriesWatcher(connection, jsm(), deadLetterWriter,
                    codec.objectMapper(), stream, options.durableName());
            w.start();
            return w;
        });
    }

    private String streamOf(SubscriptionOptions options) {
        return options.stream() == null ? topology.platformStream() : options.stream();
    }

    /**
     * Creates or updates the durable consumer, then consumes it in micro-batches (see
     * {@link EventSubscriber#subscribeBatch}). Dead letters go to the dead-letter stream as for
     * {@link #subscribe}; {@link Delivery#term} writes none.
     */
    @Override
    public synchronized EventSubscription subscribeBatch(SubscriptionOptions options, BatchHandler handler) {
        if (closed) {
            throw new IllegalStateException("spine is closed");
        }
        if (options.orderedByPartitionKey()) {
            throw new IllegalArgumentException("orderedByPartitionKey: not supported by subscribeBatch (use subscribe)");
        }
        consumers.ensure(options);
        NatsBatchSubscription s = new NatsBatchSubscription(connection, options, streamOf(options), codec, handler,
                deadLetterWriter, metrics);
        s.start();
        batchSubscriptions.add(s);
        watchMaxDeliveries(options);
        return s;
    }

    /**
     * Watches the event subjects for plain publishes on a domain no stream captures (see
     * {@link EventBus#watchUncaptured}): a core subscription in a queue group, one delivery per event to one
     * watching instance.
     */
    @Override
    public AutoCloseable watchUncaptured(java.util.function.Consumer<String> onSubject) {
        return new dev.spine.events.internal.UncapturedWatch(connection, topology, onSubject).start();
    }

    /** Deletes the durable consumer {@code durableName} of the platform stream. */
    @Override
    public boolean removeDurable(String durableName) {
        MaxDeliveriesWatcher w;
        synchronized (this) {
            w = watchers.remove(topology.platformStream() + "/" + durableName);
        }
        if (w != null) {
            w.close();
        }
        return streams.deleteConsumer(topology.platformStream(), durableName);
    }

    @Override
    public java.util.Optional<ConsumerStats> consumer(String durableName) {
        return streams.consumer(topology.platformStream(), durableName);
    }

    /** The platform stream's last sequence. */
    @Override
    public long lastSequence() {
        return streams.lastSequence(topology.platformStream());
    }

    @Override
    public List<StoredEvent> read(long fromSequence, int limit) {
        EventReader.checkRead(fromSequence, limit);
        return streams.read(topology.platformStream(), fromSequence, limit);
    }

    @Override
    public List<StoredEvent> newest(int limit) {
        EventReader.checkRead(1, limit);
        return streams.newest(topology.platformStream(), limit);
    }

    /** A live feed of the platform stream over an ordered consumer (see {@link EventReader#live}). */
    @Override
    public LiveFeed live(LiveFeedOptions options, LiveFeedHandler handler) {
        long after = options.isNewEventsOnly() ? lastSequence() : options.afterSequence();
        return NatsLiveFeed.open(connection, topology, topology.platformStream(), after, options, codec, handler);
    }

    /** Up while the NATS connection is connected. */
    @Override
    public BusStatus status() {
        return streams.status();
    }

    /** The topology's four streams: platform, connector, audit, dead letters. */
    @Override
    public List<StreamStats> streams() {
        return streams.streams();
    }

    /**
     * Asks a question and waits for the answer (request-reply over core NATS, not stored in any stream):
     * sends a {@code eventType} envelope built from {@code data} with this spine's source, to the
     * responders of that type ({@link #respond}); returns their answer envelope (a follow-up of the query:
     * same correlationId, causationId = the query's id). Traced as a CLIENT span.
     *
     * @throws dev.spine.contracts.InvalidEventException before sending, for an invalid query
     * @throws QueryException {@code NO_RESPONDERS} at once if nobody answers this type, {@code TIMEOUT}
     *     after {@code timeout}, {@code RESPONDER_FAILED} with the responder's error
     */
    public EventEnvelope query(String eventType, ObjectNode data, Duration timeout) {
        return query(EventEnvelope.builder().eventType(eventType).source(source).data(data).build(), timeout);
    }

    /** {@link #query(String, ObjectNode, Duration)} with an envelope you built (correlation, tenant, replyTo...). */
    public EventEnvelope query(EventEnvelope request, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, got " + timeout);
        }
        return queries.query(request, timeout);
    }

    /**
     * Answers queries of {@code eventType}. Responders with the same {@code group} share the queries (each
     * query to one of them); run one group per service. Answers are built as follow-ups of the query of
     * type {@link #replyTypeOf}, with this spine's source, and traced as SERVER spans.
     */
    public synchronized ResponderSubscription respond(String eventType, String group, QueryResponder responder) {
        if (closed) {
            throw new IllegalStateException("spine is closed");
        }
        if (group == null || group.isBlank() || group.chars().anyMatch(c -> c == '.' || c == '*' || c == '>'
                || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("group must be non-blank without '.', '*', '>' or spaces, got '"
                    + group + "'");
        }
        ResponderSubscription r = queries.respond(eventType, group, source, responder);
        responders.add(r);
        return r;
    }

    /**
     * A typed query: sends {@code question} as {@code queryType} with {@code replyTo} = the answer's type,
     * and returns the answer's data as its record.
     *
     * @throws QueryException as {@link #query(String, ObjectNode, Duration)}, or {@code INVALID_REPLY} if
     *     the answer is not {@code answerType}'s data
     */
    public <Q, A> A query(TypedEvent<Q> queryType, Q question, TypedEvent<A> answerType, Duration timeout) {
        EventEnvelope request = queryType.envelope(source, question).replyTo(answerType.eventType()).build();
        EventEnvelope answer = query(request, timeout);
        try {
            return answerType.dataOf(answer);
        } catch (dev.spine.contracts.InvalidEventException e) {
            throw new QueryException(QueryException.Reason.INVALID_REPLY, queryType.eventType(), e.getMessage(), e);
        }
    }

    /**
     * Answers typed queries of {@code queryType} with records of {@code answerType}. A query whose data does
     * not fit {@code Q} gets {@code RESPONDER_FAILED} with the reason.
     */
    public <Q, A> ResponderSubscription respond(TypedEvent<Q> queryType, String group, TypedEvent<A> answerType,
            TypedQueryResponder<Q, A> responder) {
        return respond(queryType.eventType(), group, q -> answerType.toJson(
                responder.answer(queryType.dataOf(q.envelope()), q)));
    }

    /** The event type of the answer to {@code query}: its {@code replyTo}, else its type + {@code Reply}. */
    public static String replyTypeOf(EventEnvelope query) {
        return NatsQueries.replyTypeOf(query);
    }

    /**
     * Hands every stored event from the start position on to {@code handler}, in stream order, without
     * creating or moving any durable consumer. A handler exception stops the replay and is rethrown
     * wrapped in {@link SpineException}.
     */
    public ReplayResult replay(ReplayOptions options, EventHandler handler) {
        String stream = options.stream() == null ? topology.platformStream() : options.stream();
        List<String> filters = new ArrayList<>();
        options.eventPatterns().forEach(p -> filters.add(topology.subjectFor(p)));
        long[] counts = new long[3];
        reader.read(stream, filters, options.startSequence(), options.startTime(), options.limit(),
                options.idleTimeout(), m -> {
                    long seq = m.metaData().streamSequence();
                    counts[2] = seq;
                    EventEnvelope e;
                    try {
                        e = adapter == null ? codec.decode(m.getData()) : adapter.decode(codec, m.getData()).event();
                    } catch (InvalidEventException ex) {
                        LOG.warn("replay of {}: skipping malformed event at sequence {}: {}", stream, seq, ex.getMessage());
                        counts[1]++;
                        return true;
                    }
                    handler.handle(new ReceivedEvent(e, m.getSubject(), stream, seq, 1));
                    counts[0]++;
                    return true;
                });
        return new ReplayResult(counts[0], counts[1], counts[2]);
    }

    /** The dead-letter stream: list, republish, delete. */
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    public StreamTopology topology() {
        return topology;
    }

    public EventCodec codec() {
        return codec;
    }

    /** The connection the spine uses (for health checks; do not close it if the spine owns it). */
    public Connection connection() {
        return connection;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        // every subscription stops pulling first, so their open pulls (up to pullExpiry) end together
        subscriptions.forEach(NatsSubscription::beginStop);
        batchSubscriptions.forEach(NatsBatchSubscription::beginStop);
        for (int i = batchSubscriptions.size() - 1; i >= 0; i--) {
            try {
                batchSubscriptions.get(i).close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (int i = subscriptions.size() - 1; i >= 0; i--) {
            try {
                subscriptions.get(i).close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (int i = responders.size() - 1; i >= 0; i--) {
            responders.get(i).close();
        }
        watchers.values().forEach(MaxDeliveriesWatcher::close);
        if (keepAliveTimer != null) {
            keepAliveTimer.shutdownNow();
        }
        if (ownsConnection) {
            try {
                connection.drain(Duration.ofSeconds(5)).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("draining the NATS connection failed; closing it", e);
            } finally {
                try {
                    connection.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
