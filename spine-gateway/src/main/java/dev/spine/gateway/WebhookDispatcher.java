package dev.spine.gateway;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.events.EventSubscription;
import dev.spine.events.ReceivedEvent;
import dev.spine.events.SubscriptionOptions;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to webhook subscriptions. Each subscription has its own durable on the bus (shared by
 * all instances, so each event goes to one of them), starting at the end of the stream when the
 * subscription is made. A failed attempt is redelivered by the bus after the
 * subscription's exponential backoff; the last allowed attempt's failure becomes a dead letter of that
 * subscription (acknowledged on the stream: it never blocks the events behind it). Events within one
 * subscription are delivered one at a time, so a slow receiver slows only its own subscription.
 *
 * <p>Instances pick up subscriptions made or deleted elsewhere every {@code SPINE_BUS_REFRESH}.
 */
final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** Events one subscription fetches at once; bounds how long a fetched event waits for its turn. */
    static final int FETCH_BATCH = 16;
    /** At-most-once claims older than this can no longer meet a redelivery and are pruned. */
    static final Duration CLAIM_HORIZON = Duration.ofDays(1);

    private final EventBus bus;
    private final EventCodec codec;
    private final SubscriptionStore store;
    private final WebhookSender sender;
    private final GatewayConfig config;
    private final Clock clock;
    private final BusMetrics metrics;
    private final LiveClients live;
    private final Map<UUID, EventSubscription> running = new HashMap<>();
    private ScheduledExecutorService refresher;
    /** Set by close(): a refresh that was waiting for the lock then must not start consumers again. */
    private boolean closed;

    WebhookDispatcher(EventBus bus, EventCodec codec, SubscriptionStore store, WebhookSender sender, GatewayConfig config, Clock clock,
            BusMetrics metrics, LiveClients live) {
        this.metrics = metrics;
        this.live = live;
        this.bus = bus;
        this.codec = codec;
        this.store = store;
        this.sender = sender;
        this.config = config;
        this.clock = clock;
    }

    void start() {
        try {
            sync();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the webhook subscriptions: " + e.getMessage(), e);
        }
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spine-bus-refresh");
            t.setDaemon(true);
            return t;
        });
        long every = config.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            sync();
            store.pruneClaims(clock.instant().minus(CLAIM_HORIZON));
        } catch (Exception e) {
            LOG.warn("refreshing the webhook subscriptions failed; next try in {}", config.refreshInterval(), e);
        }
    }

    /**
     * Starts consumers of webhook subscriptions not running here yet, stops those deleted, and ends the live
     * streams of deleted subscriptions.
     */
    synchronized void sync() throws SQLException {
        if (closed) {
            return;
        }
        Set<UUID> wanted = new HashSet<>();
        Set<UUID> existing = new HashSet<>();
        for (Subscription s : store.list()) {
            existing.add(s.id());
            if (s.mode() == Subscription.Mode.WEBHOOK) {
                wanted.add(s.id());
                startIfAbsent(s);
            }
        }
        for (UUID id : new HashSet<>(running.keySet())) {
            if (!wanted.contains(id)) {
                // deleted elsewhere; delete the consumer too, in case this instance made it again meanwhile
                removed(id);
            }
        }
        // streams of subscriptions deleted on another instance end here too; each is looked up again first, as
        // a subscription made after the list was read may already have a client
        for (UUID id : live.subscriptionIds()) {
            if (!existing.contains(id) && store.byId(id).isEmpty()) {
                live.closeAll(id);
            }
        }
    }

    /**
     * The bus's next sequence: where a subscription made now starts. Without the broker no subscription can
     * be promised its events: 503 {@code BROKER_UNAVAILABLE}.
     */
    long nextSequence() {
        return LiveFeed.lastSequence(bus, "no subscription was created") + 1;
    }

    /** A subscription was made on this instance: start delivering at once. */
    synchronized void added(Subscription s) {
        if (!closed && s.mode() == Subscription.Mode.WEBHOOK) {
            startIfAbsent(s);
        }
    }

    /** One subscription that cannot start (the broker away) does not keep the others from starting; the next refresh retries it. */
    private void startIfAbsent(Subscription s) {
        if (running.containsKey(s.id())) {
            return;
        }
        try {
            running.put(s.id(), subscribe(s));
        } catch (RuntimeException e) {
            LOG.warn("webhook subscription {} cannot start; retrying in {}", s.id(), config.refreshInterval(), e);
        }
    }

    /** A subscription was deleted: stop delivering and remove its durable consumer. */
    synchronized void removed(UUID id) {
        EventSubscription sub = running.remove(id);
        if (sub != null) {
            sub.close();
        }
        try {
            if (!bus.removeDurable(durable(id))) {
                LOG.debug("durable of subscription {} already gone", id);
            }
        } catch (RuntimeException e) { // the broker is away: each backend has its own exception
            LOG.warn("cannot delete the durable of subscription {}; it expires with the stream", id, e);
        }
    }

    private EventSubscription subscribe(Subscription s) {
        List<Duration> backoff = config.backoffFor(s.maxAttempts());
        SubscriptionOptions.Builder b = SubscriptionOptions.durable(durable(s.id()));
        if (s.startSequence() > 0) {
            b.startSequence(s.startSequence()); // whoever creates the consumer, however late
        } else {
            b.newEventsOnly(true); // made before start positions were kept: its consumer exists already
        }
        b.maxDeliver(s.guarantee() == Subscription.Guarantee.AT_MOST_ONCE ? 1 : s.maxAttempts())
                .backoff(backoff.toArray(Duration[]::new)).batchSize(FETCH_BATCH).maxAckPending(FETCH_BATCH * 4)
                .ackWait(s.timeout().multipliedBy(FETCH_BATCH).plusSeconds(30));
        if (s.eventTypes().size() == 1) {
            // one pattern filters on the server; several need nats-server 2.10, so they are matched here
            b.eventTypes(s.eventTypes().get(0));
        }
        return bus.subscribe(b.build(), e -> handle(s, e));
    }

    private void handle(Subscription s, ReceivedEvent e) throws Exception {
        EventEnvelope env = e.envelope();
        if (!s.matches(env)) {
            return;
        }
        boolean atMostOnce = s.guarantee() == Subscription.Guarantee.AT_MOST_ONCE;
        if (atMostOnce && !store.claim(s.id(), env.eventId(), clock.instant())) {
            return; // attempted before: never a second time
        }
        StoredEvent event = new StoredEvent(e.stream(), e.streamSequence(),
                new String(codec.encode(env), StandardCharsets.UTF_8));
        WebhookSender.Outcome outcome = sender.send(s, env.eventId(), env.eventType(), e.streamSequence(),
                event.envelopeJson(), e.deliveredCount());
        if (outcome.delivered()) {
            metrics.delivered.inc();
            return;
        }
        metrics.failedAttempts.inc();
        if (atMostOnce || e.deliveredCount() >= s.maxAttempts()) {
            if (store.deadLetter(s, event, env.eventId(), (int) e.deliveredCount(), outcome, clock.instant())) {
                metrics.deadLettered.inc();
            }
            LOG.info("webhook subscription {}: event {} dead-lettered after {} attempts: {}", s.id(), env.eventId(),
                    e.deliveredCount(), outcome.error());
            return;
        }
        throw new WebhookFailedException(outcome.error());
    }

    /** One attempt now, outside the consumer (replay, dead-letter retry). */
    WebhookSender.Outcome deliverNow(Subscription s, UUID eventId, String eventType, StoredEvent event, long attempt) {
        return sender.send(s, eventId, eventType, event.sequence(), event.envelopeJson(), attempt);
    }

    /** Webhook subscriptions this instance is delivering. */
    synchronized int deliveringCount() {
        return running.size();
    }

    static String durable(UUID subscriptionId) {
        return "bus-webhook-" + subscriptionId;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (refresher != null) {
            refresher.shutdownNow();
        }
        running.values().forEach(EventSubscription::close);
        running.clear();
    }

    /** A failed attempt that the bus will redeliver after the backoff. */
    static final class WebhookFailedException extends Exception {
        WebhookFailedException(String message) {
            super(message);
        }
    }
}
