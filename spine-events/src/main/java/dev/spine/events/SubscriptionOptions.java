package dev.spine.events;

import dev.spine.contracts.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a subscription receives and how failures are retried. Build with
 * {@link #durable(String)}; {@link Builder#build()} validates every field and names the bad one.
 *
 * <p>Event patterns: an exact type ({@code connector.DataReceived}), a whole domain
 * ({@code connector.*}), or nothing for all events. Several patterns need nats-server 2.10+
 * (multi-filter consumers); on 2.9 subscribe fails with a message saying so.
 */
public final class SubscriptionOptions {
    public static final int DEFAULT_MAX_DELIVER = 5;
    public static final Duration DEFAULT_ACK_WAIT = Duration.ofSeconds(30);
    public static final List<Duration> DEFAULT_BACKOFF =
            List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));
    public static final int DEFAULT_MAX_ACK_PENDING = 1000;
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long one pull waits on the server, for per-event and batch subscriptions alike. It bounds two
     * waits: close() finishes the pull already asked for (a message the server sends to a pull whose inbox
     * is gone waits out AckWait, so close cannot just unsubscribe), and after a server restart jnats notices
     * a lost pull only at its expiry or after missed heartbeats (with its 30 s default the job service sat
     * idle for over a minute). The job service's ingest used 5 s to save requests; 1 s costs an idle durable
     * one pull request per second, which nats-server does not notice, and keeps close() and recovery short.
     */
    public static final Duration DEFAULT_PULL_EXPIRY = Duration.ofSeconds(1);
    /**
     * How long a batch subscription waits for more events after a full take, but only while events arrive
     * in bursts (a lone event is handed over at once): the ~1 ms of the job service's micro-batching.
     */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(1);
    /** {@link Builder#maxDeliver} value for "never give up": only the handler decides an event is bad. */
    public static final int UNLIMITED_DELIVERIES = -1;
    /** Most lanes of {@link Builder#orderedByPartitionKey}. */
    public static final int MAX_ORDERED_LANES = 64;

    private final String durableName;
    private final List<String> eventPatterns;
    private final String stream;
    private final int maxDeliver;
    private final Duration ackWait;
    private final List<Duration> backoff;
    private final int maxAckPending;
    private final int batchSize;
    private final Duration stopTimeout;
    private final Duration pullExpiry;
    private final Duration linger;
    private final boolean newEventsOnly;
    private final long startSequence;
    private final int orderedLanes;
    private final int pullSize;

    private SubscriptionOptions(Builder b) {
        this.durableName = b.durableName;
        this.eventPatterns = List.copyOf(b.eventPatterns);
        this.stream = b.stream;
        this.maxDeliver = b.maxDeliver;
        this.ackWait = b.ackWait;
        this.backoff = List.copyOf(b.backoff);
        this.maxAckPending = b.maxAckPending;
        this.batchSize = b.batchSize;
        this.stopTimeout = b.stopTimeout;
        this.pullExpiry = b.pullExpiry;
        this.linger = b.linger;
        this.newEventsOnly = b.newEventsOnly;
        this.startSequence = b.startSequence;
        this.orderedLanes = b.orderedLanes;
        this.pullSize = b.pullSize;
    }

    /** Options for the durable consumer {@code name}: one name per service (instances share it). */
    public static Builder durable(String name) {
        return new Builder(name);
    }

    public String durableName() { return durableName; }
    /** Event-type patterns; empty means every event of the stream. */
    public List<String> eventPatterns() { return eventPatterns; }
    /** The stream to consume, or {@code null} for the topology's platform stream. */
    public String stream() { return stream; }
    /** Deliveries before an event is dead-lettered, or {@link #UNLIMITED_DELIVERIES}. */
    public int maxDeliver() { return maxDeliver; }
    /** True if a delivery with this count is the last allowed one (never, with {@link #UNLIMITED_DELIVERIES}). */
    public boolean isLastDelivery(long deliveredCount) {
        return maxDeliver != UNLIMITED_DELIVERIES && deliveredCount >= maxDeliver;
    }
    public Duration ackWait() { return ackWait; }
    public List<Duration> backoff() { return backoff; }
    public int maxAckPending() { return maxAckPending; }
    public int batchSize() { return batchSize; }
    public Duration stopTimeout() { return stopTimeout; }
    public Duration pullExpiry() { return pullExpiry; }
    /** How long a batch subscription lingers for more events while they arrive in bursts. */
    public Duration linger() { return linger; }
    public boolean newEventsOnly() { return newEventsOnly; }
    /** The stream sequence a new durable starts at, or 0 when it starts by {@link #newEventsOnly()}. */
    public long startSequence() { return startSequence; }
    /** Parallel lanes of ordered handling per partition key, or 0 when the subscription does not order by key. */
    public int orderedLanes() { return orderedLanes; }
    public boolean orderedByPartitionKey() { return orderedLanes > 0; }
    /** Events one pull of a batch subscription asks for, or 0 for the bus's own choice. */
    public int pullSize() { return pullSize; }

    /** The redelivery delay after the {@code deliveredCount}-th failed delivery (the last entry repeats). */
    public Duration backoffAfter(long deliveredCount) {
        int i = (int) Math.min(Math.max(deliveredCount - 1, 0), backoff.size() - 1);
        return backoff.get(i);
    }

    /** Options for a subscription; defaults are the {@code DEFAULT_*} constants. */
    public static final class Builder {
        private final String durableName;
        private final List<String> eventPatterns = new ArrayList<>();
        private String stream;
        private int maxDeliver = DEFAULT_MAX_DELIVER;
        private Duration ackWait = DEFAULT_ACK_WAIT;
        private List<Duration> backoff = DEFAULT_BACKOFF;
        private int maxAckPending = DEFAULT_MAX_ACK_PENDING;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        private Duration pullExpiry = DEFAULT_PULL_EXPIRY;
        private Duration linger = DEFAULT_LINGER;
        private boolean newEventsOnly;
        private long startSequence;
        private int orderedLanes;
        private int pullSize;

        private Builder(String durableName) {
            this.durableName = durableName;
        }

        /** Adds event-type patterns: {@code domain.NounVerb} or {@code domain.*}. */
        public Builder eventTypes(String... patterns) { eventPatterns.addAll(List.of(patterns)); return this; }
        /** Consume another stream of the topology (e.g. connector-data) instead of platform-events. */
        public Builder stream(String v) { this.stream = v; return this; }
        /**
         * Deliveries before an event is dead-lettered; default {@value SubscriptionOptions#DEFAULT_MAX_DELIVER};
         * {@link SubscriptionOptions#UNLIMITED_DELIVERIES} retries for ever (the job service's ingest: a database
         * outage must not dead-letter events).
         */
        public Builder maxDeliver(int v) { this.maxDeliver = v; return this; }
        /** How long the server waits for an ack before redelivering; default 30 s. */
        public Builder ackWait(Duration v) { this.ackWait = v; return this; }
        /** Delays before redelivery after the 1st, 2nd, ... failure; the last one repeats. */
        public Builder backoff(Duration... v) { this.backoff = List.of(v); return this; }
        /** Unacknowledged events the server lets this durable have out at once; default 1000. */
        public Builder maxAckPending(int v) { this.maxAckPending = v; return this; }
        /**
         * Events per batch handed to a batch handler, and the most one pull of a per-event subscription asks for;
         * default {@value SubscriptionOptions#DEFAULT_BATCH_SIZE}.
         */
        public Builder batchSize(int v) { this.batchSize = v; return this; }
        /** How long {@code close()} waits for in-flight events; default 10 s. */
        public Builder stopTimeout(Duration v) { this.stopTimeout = v; return this; }
        /**
         * How long one pull request waits on the server (min 1 s); default {@link #DEFAULT_PULL_EXPIRY}. It bounds
         * how long an idle close() waits and how soon a pull lost in a server restart is replaced.
         */
        public Builder pullExpiry(Duration v) { this.pullExpiry = v; return this; }
        /**
         * Batch subscriptions: after taking what is there, wait up to this long for more, only while events arrive
         * in bursts; default {@link #DEFAULT_LINGER}; zero never waits.
         */
        public Builder linger(Duration v) { this.linger = v; return this; }
        /** A new durable starts at the end of the stream instead of its beginning. */
        public Builder newEventsOnly(boolean v) { this.newEventsOnly = v; return this; }
        /**
         * A new durable starts at this stream sequence, whenever and by whichever instance it is created: a
         * position recorded when the subscription was made keeps the events published before its consumer
         * existed. Ignored once the durable exists (it keeps its own position).
         */
        public Builder startSequence(long v) { this.startSequence = v; return this; }
        /**
         * Handles events with the same {@link dev.spine.contracts.EventEnvelope#partitionKey() partition key}
         * one at a time in stream order, on up to {@code lanes} threads so different keys run in parallel.
         * A failing event is retried in place after its backoff (later events of its key wait behind it)
         * until it succeeds or is dead-lettered. Events without a key are spread over the lanes, unordered.
         */
        public Builder orderedByPartitionKey(int lanes) { this.orderedLanes = lanes; return this; }
        /**
         * On NATS: how many events one pull request asks the server for (at most {@code maxAckPending}); 0, the
         * default, takes {@code batchSize} for a per-event subscription, twice the batch size and at least 256
         * for a batch one. The next pull is asked for when the current one is filled or over. A
         * small pull is filled by count, several times a second at a few dozen events per second, instead of
         * running to its expiry: nats-server before 2.9.15 can end an expiring pull without its 408, and the
         * client then pulls again only 50 ms after the pull's life (the job service's priority lanes pull 64 for
         * that reason). Other buses ignore it.
         */
        public Builder pullSize(int v) { this.pullSize = v; return this; }

        public SubscriptionOptions build() {
            if (durableName == null || durableName.isBlank()
                    || durableName.chars().anyMatch(c -> c == '.' || c == '*' || c == '>' || Character.isWhitespace(c))) {
                throw new IllegalArgumentException("durableName must be non-blank without '.', '*', '>' or spaces, got '"
                        + durableName + "'");
            }
            for (String p : eventPatterns) {
                if (!isPattern(p)) {
                    throw new IllegalArgumentException("eventTypes: '" + p
                            + "' is neither domain.NounVerb nor domain.*");
                }
            }
            if (maxDeliver < 1 && maxDeliver != UNLIMITED_DELIVERIES) {
                throw new IllegalArgumentException("maxDeliver must be >= 1 or UNLIMITED_DELIVERIES (-1), got "
                        + maxDeliver);
            }
            positive("ackWait", ackWait);
            if (backoff == null || backoff.isEmpty()) {
                throw new IllegalArgumentException("backoff must have at least one delay");
            }
            for (Duration d : backoff) {
                if (d == null || d.isNegative()) {
                    throw new IllegalArgumentException("backoff delays must be >= 0, got " + d);
                }
            }
            if (maxAckPending < 1) {
                throw new IllegalArgumentException("maxAckPending must be >= 1, got " + maxAckPending);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            positive("stopTimeout", stopTimeout);
            if (pullSize < 0) {
                throw new IllegalArgumentException("pullSize must be >= 1 (0: the bus's own choice), got " + pullSize);
            }
            if (orderedLanes < 0 || orderedLanes > MAX_ORDERED_LANES) {
                throw new IllegalArgumentException("orderedByPartitionKey lanes must be 1.." + MAX_ORDERED_LANES + " (0: off)"
                        + ", got " + orderedLanes);
            }
            if (startSequence < 0) {
                throw new IllegalArgumentException("startSequence must be >= 1 (0: not set), got " + startSequence);
            }
            if (startSequence > 0 && newEventsOnly) {
                throw new IllegalArgumentException("startSequence and newEventsOnly both say where a new durable "
                        + "starts; set one");
            }
            if (pullExpiry == null || pullExpiry.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("pullExpiry must be >= 1s, got " + pullExpiry);
            }
            if (linger == null || linger.isNegative()) {
                throw new IllegalArgumentException("linger must be >= 0, got " + linger);
            }
            return new SubscriptionOptions(this);
        }

        static boolean isPattern(String p) {
            if (p == null) {
                return false;
            }
            if (p.endsWith(".*")) {
                // "domain.*" is valid when "domain.X" is a valid event type
                return EventType.isValid(p.substring(0, p.length() - 1) + "X");
            }
            return EventType.isValid(p);
        }

        private static void positive(String field, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
            }
        }
    }
}
