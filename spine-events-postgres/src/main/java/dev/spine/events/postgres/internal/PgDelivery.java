package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Delivery;
import java.time.Duration;
import java.util.Map;

/**
 * A claimed delivery of the PostgreSQL bus. Settling only records the decision; {@link PgBatchSubscription}
 * writes the batch's decisions after the handler returns (the acks in one statement), so an ack costs no
 * round trip of its own. The table keeps no headers: trace context travels in the envelope.
 */
final class PgDelivery implements Delivery {
    enum Outcome { NONE, ACK, TERM, NAK }

    final long row;
    private final long attempts;
    private final String eventType;
    private final byte[] payload;
    private final String stream;
    private final EventCodec codec;
    private final PgBatchSubscription owner;
    private EventEnvelope envelope;
    volatile Outcome outcome = Outcome.NONE;
    volatile String reason;
    volatile Duration delay;

    PgDelivery(long row, long attempts, String eventType, byte[] payload, String stream, EventCodec codec,
            PgBatchSubscription owner) {
        this.row = row;
        this.attempts = attempts;
        this.eventType = eventType;
        this.payload = payload;
        this.stream = stream;
        this.codec = codec;
        this.owner = owner;
    }

    @Override public byte[] data() { return payload; }

    @Override
    public EventEnvelope envelope() {
        if (envelope == null) {
            envelope = codec.decode(payload);
        }
        return envelope;
    }

    @Override public String subject() { return eventType; }
    @Override public String stream() { return stream; }
    @Override public long sequence() { return row; }
    @Override public long deliveredCount() { return attempts; }
    @Override public String header(String name) { return null; }
    @Override public Map<String, String> headers() { return Map.of(); }
    @Override public boolean isSettled() { return outcome != Outcome.NONE; }

    @Override
    public void ack() {
        if (outcome == Outcome.NONE) {
            outcome = Outcome.ACK;
        }
    }

    @Override
    public void term(String reason) {
        if (outcome == Outcome.NONE) {
            this.reason = reason;
            outcome = Outcome.TERM;
        }
    }

    @Override
    public void nakWithDelay(Duration delay) {
        if (outcome == Outcome.NONE) {
            this.delay = delay;
            outcome = Outcome.NAK;
        }
    }

    /** Extends the lease now: a long handler keeps its claim. */
    @Override
    public void inProgress() {
        if (outcome == Outcome.NONE) {
            owner.extendLease(this);
        }
    }
}
