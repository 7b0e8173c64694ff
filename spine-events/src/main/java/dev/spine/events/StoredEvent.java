package dev.spine.events;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;

/**
 * An event as stored, read by an {@link EventReader}: its sequence, subject, raw bytes, and the envelope
 * decoded on first use. Not thread-safe while decoding; hand it on after reading what you need.
 */
public final class StoredEvent {
    private final String stream;
    private final long sequence;
    private final String subject;
    private final byte[] data;
    private final EventCodec codec;
    private EventEnvelope envelope;

    public StoredEvent(String stream, long sequence, String subject, byte[] data, EventCodec codec) {
        this.stream = stream;
        this.sequence = sequence;
        this.subject = subject;
        this.data = data == null ? new byte[0] : data;
        this.codec = codec;
    }

    public String stream() { return stream; }
    /** Position in the stream; a live feed resumes after it. */
    public long sequence() { return sequence; }
    /** The subject (NATS) or event type (other backends) it was stored under. */
    public String subject() { return subject; }
    /** The stored bytes. */
    public byte[] data() { return data; }

    /**
     * The decoded envelope.
     *
     * @throws dev.spine.contracts.InvalidEventException if the bytes are not a valid envelope
     */
    public EventEnvelope envelope() {
        if (envelope == null) {
            envelope = codec.decode(data);
        }
        return envelope;
    }

    @Override
    public String toString() {
        return stream + "#" + sequence + " " + subject;
    }
}
