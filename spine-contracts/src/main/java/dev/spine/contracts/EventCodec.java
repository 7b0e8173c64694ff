package dev.spine.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The envelope's JSON form. Thread-safe; build one and share it.
 *
 * <p>Guarantees: {@link #decode} accepts exactly the valid envelopes (seven required fields, strict
 * types, canonical UUIDs, {@code yyyy-MM-ddTHH:mm:ss.SSSZ} timestamps, {@code data} an object, at
 * most {@link #maxPayloadBytes()} bytes) and throws {@link InvalidEventException} with a code and the
 * field otherwise. Unknown top-level fields are kept; {@code decode(encode(e)).equals(e)} always
 * holds, and {@code encode(decode(bytes))} returns the same bytes for a payload in canonical form
 * (fields in envelope order, no whitespace, lower-case ids). Numbers in {@code data} keep their exact
 * written value (decimals are read as {@code BigDecimal}).
 */
public final class EventCodec {
    /** 1 MiB: the default {@code max_payload} of a NATS server. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

    private static final EventCodec DEFAULT = builder().build();

    private final ObjectMapper mapper;
    private final EnvelopeReader reader;
    private final EnvelopeWriter writer;
    private final int maxPayloadBytes;

    private EventCodec(Builder b) {
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.mapper = JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        this.reader = new EnvelopeReader(mapper, maxPayloadBytes);
        this.writer = new EnvelopeWriter(mapper, maxPayloadBytes);
    }

    /** A codec with {@link #DEFAULT_MAX_PAYLOAD_BYTES}. */
    public static EventCodec defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Decodes a whole byte array; see the class comment for what is rejected. */
    public EventEnvelope decode(byte[] json) {
        if (json == null) {
            throw new InvalidEventException(InvalidEventException.Code.MALFORMED_JSON, null, "no payload");
        }
        return reader.read(json, 0, json.length);
    }

    /** Decodes {@code length} bytes starting at {@code offset}. */
    public EventEnvelope decode(byte[] json, int offset, int length) {
        return reader.read(json, offset, length);
    }

    /**
     * Encodes in canonical field order.
     *
     * @throws InvalidEventException {@code PAYLOAD_TOO_LARGE} if the result exceeds the maximum
     */
    public byte[] encode(EventEnvelope envelope) {
        return writer.write(envelope);
    }

    /** The largest payload this codec decodes or produces. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** The mapper the codec uses for {@code data} trees, configured for exact numbers; do not reconfigure it. */
    public ObjectMapper objectMapper() {
        return mapper;
    }

    /** Options for an {@link EventCodec}; {@link #build()} validates them. */
    public static final class Builder {
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;

        private Builder() {}

        /** Largest accepted payload in bytes; default {@link #DEFAULT_MAX_PAYLOAD_BYTES}. */
        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        public EventCodec build() {
            if (maxPayloadBytes <= 0) {
                throw new IllegalArgumentException("maxPayloadBytes must be > 0, got " + maxPayloadBytes);
            }
            return new EventCodec(this);
        }
    }
}
