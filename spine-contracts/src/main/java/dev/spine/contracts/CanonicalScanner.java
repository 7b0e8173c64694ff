package dev.spine.contracts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.internal.FieldRules;
import dev.spine.contracts.internal.UtcMillis;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The decoder's fast path: envelopes in exactly the canonical form this codec writes (fields in
 * envelope order, no whitespace, plain ASCII strings without escapes, no extensions) are read by
 * comparing bytes, and {@code data} is checked to be one well-formed object by {@link JsonSkipper}.
 * Anything else, including every invalid event, returns {@code null} and goes through
 * {@link EnvelopeReader}, which decides and reports; so this class never rejects, it only declines.
 */
final class CanonicalScanner {
    private static final byte[] EVENT_ID = ascii("{\"eventId\":\"");
    private static final byte[] EVENT_TYPE = ascii("\",\"eventType\":\"");
    private static final byte[] EVENT_VERSION = ascii("\",\"eventVersion\":\"");
    private static final byte[] TIMESTAMP = ascii("\",\"timestamp\":\"");
    private static final byte[] SOURCE = ascii("\",\"source\":\"");
    private static final byte[] CORRELATION_ID = ascii("\",\"correlationId\":\"");
    private static final byte[] DATA = ascii("\",\"data\":");
    private static final byte[] CAUSATION_ID = ascii(",\"causationId\":\"");
    private static final byte[] TENANT_ID = ascii(",\"tenantId\":\"");
    private static final byte[] TRACE_CONTEXT = ascii(",\"traceContext\":{\"traceparent\":\"");
    private static final byte[] TRACESTATE = ascii("\",\"tracestate\":\"");
    private static final int UUID_LENGTH = 36;
    private static final int TIMESTAMP_LENGTH = 24;

    private final ObjectMapper mapper;

    CanonicalScanner(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The envelope, or {@code null} if the bytes are not in canonical form (or not valid). */
    EventEnvelope tryRead(byte[] b, int offset, int length) {
        int end = offset + length;
        EventEnvelope.Builder env = EventEnvelope.builder();
        int p = expect(b, offset, end, EVENT_ID);
        UUID eventId = p < 0 || p + UUID_LENGTH > end ? null : FieldRules.parseUuid(b, p, UUID_LENGTH);
        if (eventId == null) {
            return null;
        }
        p = expect(b, p + UUID_LENGTH, end, EVENT_TYPE);
        int q = plainString(b, p, end);
        if (q < 0) {
            return null;
        }
        String eventType = latin1(b, p, q);
        if (FieldRules.eventTypeDot(eventType) < 0) {
            return null;
        }
        p = expect(b, q, end, EVENT_VERSION);
        q = plainString(b, p, end);
        if (q < 0) {
            return null;
        }
        String version = latin1(b, p, q);
        if (!FieldRules.isEventVersion(version)) {
            return null;
        }
        p = expect(b, q, end, TIMESTAMP);
        Instant timestamp = p < 0 || p + TIMESTAMP_LENGTH > end ? null : UtcMillis.parse(b, p, TIMESTAMP_LENGTH);
        if (timestamp == null) {
            return null;
        }
        p = expect(b, p + TIMESTAMP_LENGTH, end, SOURCE);
        q = plainString(b, p, end);
        if (q < 0) {
            return null;
        }
        String source = latin1(b, p, q);
        if (source.isBlank()) {
            return null;
        }
        p = expect(b, q, end, CORRELATION_ID);
        UUID correlationId = p < 0 || p + UUID_LENGTH > end ? null : FieldRules.parseUuid(b, p, UUID_LENGTH);
        if (correlationId == null) {
            return null;
        }
        p = expect(b, p + UUID_LENGTH, end, DATA);
        int dataEnd = p < 0 || p >= end || b[p] != '{' ? -1 : objectEnd(b, p, end);
        if (dataEnd < 0) {
            return null;
        }
        env.eventId(eventId).eventType(eventType).eventVersion(version).timestamp(timestamp).source(source)
                .correlationId(correlationId).rawData(b, p, dataEnd - p, mapper);
        p = optionalFields(b, dataEnd, end, env);
        if (p < 0 || p != end - 1 || b[p] != '}') {
            return null;
        }
        return env.build();
    }

    /** causationId, tenantId, traceContext, each optional, in that order; the index after them or -1. */
    private static int optionalFields(byte[] b, int p, int end, EventEnvelope.Builder env) {
        int q = expect(b, p, end, CAUSATION_ID);
        if (q >= 0) {
            UUID causation = q + UUID_LENGTH > end ? null : FieldRules.parseUuid(b, q, UUID_LENGTH);
            if (causation == null || q + UUID_LENGTH >= end || b[q + UUID_LENGTH] != '"') {
                return -1;
            }
            env.causationId(causation);
            p = q + UUID_LENGTH + 1;
        }
        q = expect(b, p, end, TENANT_ID);
        if (q >= 0) {
            int close = plainString(b, q, end);
            if (close <= q) {
                return -1;
            }
            env.tenantId(latin1(b, q, close));
            p = close + 1;
        }
        q = expect(b, p, end, TRACE_CONTEXT);
        if (q >= 0) {
            int close = plainString(b, q, end);
            if (close < 0) {
                return -1;
            }
            String traceparent = latin1(b, q, close);
            String tracestate = null;
            int s = expect(b, close, end, TRACESTATE);
            if (s >= 0) {
                close = plainString(b, s, end);
                if (close < 0) {
                    return -1;
                }
                tracestate = latin1(b, s, close);
            }
            if (close + 2 >= end || b[close + 1] != '}' || !FieldRules.isTraceparent(traceparent)) {
                return -1;
            }
            env.traceContext(new TraceContext(traceparent, tracestate));
            p = close + 2;
        }
        return p;
    }

    /**
     * The index after the JSON object starting at {@code start}, or -1 if it is not one the skipper
     * vouches for (then the general reader decides, and reports malformed input with its code).
     */
    private static int objectEnd(byte[] b, int start, int end) {
        return JsonSkipper.skipValue(b, start, end);
    }

    /** The index where {@code literal} ends if it starts at {@code p}, else -1. */
    private static int expect(byte[] b, int p, int end, byte[] literal) {
        if (p < 0 || p + literal.length > end) {
            return -1;
        }
        for (int i = 0; i < literal.length; i++) {
            if (b[p + i] != literal[i]) {
                return -1;
            }
        }
        return p + literal.length;
    }

    /** The index of the closing quote of a string of printable ASCII without escapes, else -1. */
    private static int plainString(byte[] b, int p, int end) {
        if (p < 0) {
            return -1;
        }
        // one table load per byte instead of four comparisons: this loop is most of the fast path's time
        for (int i = p; i < end; i++) {
            byte kind = STRING_BYTE[b[i] & 0xff];
            if (kind != PLAIN) {
                return kind == QUOTE ? i : -1;
            }
        }
        return -1;
    }

    private static final byte PLAIN = 0;
    private static final byte QUOTE = 1;
    private static final byte OTHER = 2;
    /** For each byte value: plain printable ASCII, the closing quote, or anything the fast path declines. */
    private static final byte[] STRING_BYTE = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            STRING_BYTE[c] = c == '"' ? QUOTE : (c < 0x20 || c > 0x7e || c == '\\') ? OTHER : PLAIN;
        }
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
