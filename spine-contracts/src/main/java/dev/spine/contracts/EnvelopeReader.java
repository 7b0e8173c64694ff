package dev.spine.contracts;

import static dev.spine.contracts.internal.EnvelopeFields.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.InvalidEventException.Code;
import dev.spine.contracts.internal.FieldRules;
import dev.spine.contracts.internal.UtcMillis;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/**
 * Decodes an envelope with Jackson's streaming parser in one pass: known fields are checked as they
 * are read; {@code data} is only checked to be one well-formed object and kept as its bytes (the tree
 * is built on first {@link EventEnvelope#data()}, so consumers that route or store the payload as
 * JSON never pay for it); only unknown fields become trees.
 */
final class EnvelopeReader {
    // field indexes: the required ones first, in wire order, so bit i of "seen" is REQUIRED.get(i)
    private static final int F_EVENT_ID = 0;
    private static final int F_EVENT_TYPE = 1;
    private static final int F_EVENT_VERSION = 2;
    private static final int F_TIMESTAMP = 3;
    private static final int F_SOURCE = 4;
    private static final int F_CORRELATION_ID = 5;
    private static final int F_DATA = 6;
    private static final int F_CAUSATION_ID = 7;
    private static final int F_TENANT_ID = 8;
    private static final int F_TRACE_CONTEXT = 9;
    private static final int ALL_REQUIRED = (1 << 7) - 1;
    /** Field names in canonical order, indexed like the F_ constants. */
    private static final String[] NAMES = {EVENT_ID, EVENT_TYPE, EVENT_VERSION, TIMESTAMP, SOURCE, CORRELATION_ID,
        DATA, CAUSATION_ID, TENANT_ID, TRACE_CONTEXT};
    private static final SerializedString[] ORDER = new SerializedString[NAMES.length];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            ORDER[i] = new SerializedString(NAMES[i]);
        }
    }

    private final ObjectMapper mapper;
    private final int maxPayloadBytes;
    private final CanonicalScanner canonical;

    EnvelopeReader(ObjectMapper mapper, int maxPayloadBytes) {
        this.mapper = mapper;
        this.maxPayloadBytes = maxPayloadBytes;
        this.canonical = new CanonicalScanner(mapper);
    }

    EventEnvelope read(byte[] bytes, int offset, int length) {
        if (length > maxPayloadBytes) {
            throw new InvalidEventException(Code.PAYLOAD_TOO_LARGE, null,
                    length + " bytes exceeds the maximum of " + maxPayloadBytes);
        }
        EventEnvelope fast = canonical.tryRead(bytes, offset, length);
        return fast != null ? fast : readGeneral(bytes, offset, length);
    }

    /** The general path: any field order, whitespace, escapes, extensions; reports every rejection. */
    EventEnvelope readGeneral(byte[] bytes, int offset, int length) {
        try (JsonParser p = mapper.getFactory().createParser(bytes, offset, length)) {
            return readObject(p, bytes, offset);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(Code.MALFORMED_JSON, null, e.getOriginalMessage(), e);
        } catch (IOException e) {
            // a byte-array parser does no I/O; anything else here is still a malformed payload
            throw new InvalidEventException(Code.MALFORMED_JSON, null, String.valueOf(e.getMessage()), e);
        }
    }

    private EventEnvelope readObject(JsonParser p, byte[] bytes, int offset) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new InvalidEventException(Code.MALFORMED_JSON, null, "an event must be a JSON object");
        }
        EventEnvelope.Builder b = EventEnvelope.builder();
        int seen = 0;
        int expected = 0;
        while (true) {
            // Fast path: fields in the canonical order (our encoder, and JSON.stringify of envelopes built
            // in documented order) are matched by Jackson against pre-encoded names, without hashing.
            int field;
            String name;
            if (expected < ORDER.length && p.nextFieldName(ORDER[expected])) {
                field = expected++;
                name = NAMES[field];
            } else {
                JsonToken t = expected < ORDER.length ? p.currentToken() : p.nextToken();
                expected = ORDER.length;
                if (t == JsonToken.END_OBJECT) {
                    break;
                }
                if (t != JsonToken.FIELD_NAME) {
                    throw new InvalidEventException(Code.MALFORMED_JSON, null, "unexpected " + t + " in event object");
                }
                name = p.currentName();
                field = fieldOf(name);
            }
            JsonToken v = p.nextToken();
            if (field >= 0) {
                int bit = 1 << field;
                if ((seen & bit) != 0) {
                    throw new InvalidEventException(Code.INVALID_FIELD, name, "appears twice");
                }
                seen |= bit;
            }
            readField(p, v, field, name, b, bytes, offset);
        }
        if (p.nextToken() != null) {
            throw new InvalidEventException(Code.MALFORMED_JSON, null, "trailing content after the event object");
        }
        if ((seen & ALL_REQUIRED) != ALL_REQUIRED) {
            for (int i = 0; i < REQUIRED.size(); i++) {
                if ((seen & (1 << i)) == 0) {
                    throw new InvalidEventException(Code.MISSING_FIELD, REQUIRED.get(i), "is required");
                }
            }
        }
        return b.build();
    }

    private void readField(JsonParser p, JsonToken v, int field, String name, EventEnvelope.Builder b, byte[] bytes,
            int offset) throws IOException {
        switch (field) {
            case F_EVENT_ID -> b.eventId(uuid(p, v, EVENT_ID));
            case F_EVENT_TYPE -> {
                String type = string(p, v, EVENT_TYPE);
                if (FieldRules.eventTypeDot(type) < 0) {
                    throw new InvalidEventException(Code.INVALID_EVENT_TYPE, EVENT_TYPE,
                            "event type must be domain.NounVerb (e.g. connector.DataReceived), got " + type);
                }
                b.eventType(type);
            }
            case F_EVENT_VERSION -> {
                String version = string(p, v, EVENT_VERSION);
                if (!FieldRules.isEventVersion(version)) {
                    throw new InvalidEventException(Code.INVALID_FIELD, EVENT_VERSION,
                            "must be <major>.<minor> such as 1.0, got " + version);
                }
                b.eventVersion(version);
            }
            case F_TIMESTAMP -> b.timestamp(timestamp(p, v));
            case F_SOURCE -> {
                String source = string(p, v, SOURCE);
                if (source.isBlank()) {
                    throw new InvalidEventException(Code.INVALID_FIELD, SOURCE, "must not be blank");
                }
                b.source(source);
            }
            case F_CORRELATION_ID -> b.correlationId(uuid(p, v, CORRELATION_ID));
            case F_DATA -> {
                if (v != JsonToken.START_OBJECT) {
                    throw new InvalidEventException(Code.INVALID_FIELD, DATA, "must be a JSON object, got " + v);
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int end = (int) p.currentLocation().getByteOffset();
                b.rawData(bytes, offset + start, end - start, mapper);
            }
            case F_CAUSATION_ID -> b.causationId(v == JsonToken.VALUE_NULL ? null : uuid(p, v, CAUSATION_ID));
            case F_TENANT_ID -> b.tenantId(v == JsonToken.VALUE_NULL ? null : nonEmpty(p, v, TENANT_ID));
            case F_TRACE_CONTEXT -> b.traceContext(v == JsonToken.VALUE_NULL ? null : traceContext(p, v));
            default -> {
                JsonNode value = mapper.readTree(p);
                if (value == null) {
                    throw new InvalidEventException(Code.MALFORMED_JSON, name, "has no value");
                }
                b.extension(name, value);
            }
        }
    }

    /** The index of a known field (its bit is {@code 1 << index}), or -1 for an unknown one. */
    private static int fieldOf(String name) {
        return switch (name) {
            case EVENT_ID -> F_EVENT_ID;
            case EVENT_TYPE -> F_EVENT_TYPE;
            case EVENT_VERSION -> F_EVENT_VERSION;
            case TIMESTAMP -> F_TIMESTAMP;
            case SOURCE -> F_SOURCE;
            case CORRELATION_ID -> F_CORRELATION_ID;
            case DATA -> F_DATA;
            case CAUSATION_ID -> F_CAUSATION_ID;
            case TENANT_ID -> F_TENANT_ID;
            case TRACE_CONTEXT -> F_TRACE_CONTEXT;
            default -> -1;
        };
    }

    private static String string(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(Code.INVALID_FIELD, field, "must be a string, got " + describe(v));
        }
        return p.getText();
    }

    private static String nonEmpty(JsonParser p, JsonToken v, String field) throws IOException {
        String s = string(p, v, field);
        if (s.isEmpty()) {
            throw new InvalidEventException(Code.INVALID_FIELD, field, "must be absent or non-empty");
        }
        return s;
    }

    private static UUID uuid(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(Code.INVALID_FIELD, field, "must be a string, got " + describe(v));
        }
        UUID id = FieldRules.parseUuid(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (id == null) {
            throw new InvalidEventException(Code.INVALID_FIELD, field, "must be a UUID, got " + p.getText());
        }
        return id;
    }

    private static Instant timestamp(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw new InvalidEventException(Code.INVALID_FIELD, TIMESTAMP, "must be a string, got " + describe(v));
        }
        Instant t = UtcMillis.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (t == null) {
            throw new InvalidEventException(Code.INVALID_FIELD, TIMESTAMP,
                    "must be ISO-8601 UTC with milliseconds like 2026-01-01T12:00:00.000Z, got " + p.getText());
        }
        return t;
    }

    private static TraceContext traceContext(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw new InvalidEventException(Code.INVALID_FIELD, TRACE_CONTEXT, "must be an object, got " + describe(v));
        }
        String traceparent = null;
        String tracestate = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken inner = p.nextToken();
            if (TRACEPARENT.equals(name)) {
                traceparent = string(p, inner, TRACE_CONTEXT + "." + TRACEPARENT);
            } else if (TRACESTATE.equals(name)) {
                tracestate = inner == JsonToken.VALUE_NULL ? null : string(p, inner, TRACE_CONTEXT + "." + TRACESTATE);
            } else {
                throw new InvalidEventException(Code.INVALID_FIELD, TRACE_CONTEXT + "." + name,
                        "unknown field in traceContext (allowed: traceparent, tracestate)");
            }
        }
        return new TraceContext(traceparent, tracestate);
    }

    private static String describe(JsonToken v) {
        return v == null ? "nothing" : switch (v) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> v.toString();
        };
    }
}
