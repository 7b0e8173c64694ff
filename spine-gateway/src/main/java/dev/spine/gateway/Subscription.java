package dev.spine.gateway;

import dev.spine.contracts.EventEnvelope;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A standing interest in events: which types (exact {@code domain.NounVerb} or {@code domain.*}; empty
 * means all), which data-field conditions must all hold, and how matching events are delivered.
 *
 * <p>Delivery modes: {@link Mode#WEBHOOK} POSTs each matching event to {@code url}, signed with the
 * subscription's secret, retried with exponential backoff up to {@code maxAttempts} and then kept as a
 * dead letter; {@link Mode#SSE} and {@link Mode#WEBSOCKET} push to connected clients, who resume after a
 * reconnect from the last stream sequence they saw.
 *
 * <p>Guarantees: {@link Guarantee#AT_LEAST_ONCE} (default) may deliver an event again after a failure or a
 * crash; receivers make the effect exactly-once by keying on the {@code Spine-Event-Id} header.
 * {@link Guarantee#AT_MOST_ONCE} records a claim before its single attempt: never twice, possibly never.
 *
 * <p>{@code startSequence}: a webhook subscription's first platform-stream sequence (the stream's next one
 * when it was made), where its durable consumer starts whenever it is created; 0 when unknown (made by an
 * older version, whose consumer already exists).
 */
record Subscription(UUID id, String name, List<String> eventTypes, List<DataFilter> filters, Mode mode,
        URI url, String secret, Guarantee guarantee, int maxAttempts, Duration timeout, Instant createdAt,
        long startSequence) {

    /** The most deliveries one subscription may ask for. */
    public static final int MAX_ATTEMPTS = 50;
    /** The longest webhook timeout one subscription may ask for. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(2);

    /** How matching events reach the subscriber. */
    public enum Mode {
        WEBHOOK("webhook"), SSE("sse"), WEBSOCKET("websocket");

        private final String wire;

        Mode(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Mode of(String wire) {
            for (Mode m : values()) {
                if (m.wire.equals(wire)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** What a delivery promises. */
    public enum Guarantee {
        AT_LEAST_ONCE("at-least-once"), AT_MOST_ONCE("at-most-once");

        private final String wire;

        Guarantee(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Guarantee of(String wire) {
            for (Guarantee g : values()) {
                if (g.wire.equals(wire)) {
                    return g;
                }
            }
            return null;
        }
    }

    public Subscription {
        eventTypes = List.copyOf(eventTypes);
        filters = List.copyOf(filters);
    }

    /** This subscription delivering from stream sequence {@code sequence} on. */
    Subscription startingAt(long sequence) {
        return new Subscription(id, name, eventTypes, filters, mode, url, secret, guarantee, maxAttempts, timeout,
                createdAt, sequence);
    }

    /** Whether {@code event} is of a subscribed type and satisfies every filter. */
    public boolean matches(EventEnvelope event) {
        return typeMatches(event.eventType()) && filters.stream().allMatch(f -> f.test(event.data()));
    }

    boolean typeMatches(String type) {
        if (eventTypes.isEmpty()) {
            return true;
        }
        for (String p : eventTypes) {
            if (EventTypes.matches(p, type)) {
                return true;
            }
        }
        return false;
    }
}
