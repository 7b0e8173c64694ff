package dev.spine.contracts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.spine.contracts.internal.EnvelopeFields;
import dev.spine.contracts.internal.EventIds;
import dev.spine.contracts.internal.FieldRules;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One immutable platform event. Every instance is valid: the seven required fields (eventId,
 * eventType, eventVersion, timestamp, source, correlationId, data) are present and well formed, so
 * an envelope from the platform's existing services that carries only those is accepted as is.
 * Optional: causationId, tenantId, traceContext, partitionKey, replyTo. Top-level fields this version
 * does not know are kept in {@link #extensions()} and written back by {@link EventCodec} (forward
 * compatibility).
 *
 * <p>The timestamp has millisecond precision (the wire format has exactly three fraction digits).
 * {@link #data()} returns the envelope's own JSON node and must be treated as read-only: copying it
 * on every access would cost a tree copy on the hot path.
 */
public final class EventEnvelope {
    /** The version stamped by {@link Builder} when none is given. */
    public static final String DEFAULT_EVENT_VERSION = "1.0";
    /** Longest accepted {@link #partitionKey()}. */
    public static final int MAX_PARTITION_KEY_LENGTH = 256;

    private final UUID eventId;
    private final String eventType;
    private final String eventVersion;
    private final Instant timestamp;
    private final String source;
    private final UUID correlationId;
    /** The payload tree; null until first use when the envelope was decoded (see {@link #rawData}). */
    private volatile ObjectNode data;
    /** The payload's JSON bytes as received, or null for an envelope built from a tree. */
    private final byte[] rawData;
    private final int rawOffset;
    private final int rawLength;
    private final ObjectMapper rawMapper;
    private final UUID causationId;
    private final String tenantId;
    private final TraceContext traceContext;
    private final Map<String, JsonNode> extensions;

    private EventEnvelope(Builder b) {
        this.eventId = b.eventId;
        this.eventType = b.eventType;
        this.eventVersion = b.eventVersion;
        this.timestamp = b.timestamp;
        this.source = b.source;
        this.correlationId = b.correlationId;
        this.data = b.data;
        this.rawData = b.data == null ? b.rawData : null;
        this.rawOffset = b.rawOffset;
        this.rawLength = b.rawLength;
        this.rawMapper = b.rawMapper;
        this.causationId = b.causationId;
        this.tenantId = b.tenantId;
        this.traceContext = b.traceContext;
        this.extensions = b.extensions == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.extensions));
    }

    /** A builder using the system UTC clock for the default timestamp. */
    public static Builder builder() {
        return new Builder(Clock.systemUTC());
    }

    /** A builder whose default timestamp comes from {@code clock} (tests inject a settable clock). */
    public static Builder builder(Clock clock) {
        return new Builder(Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A builder for an event caused by this one: same correlationId, causationId = this eventId, and
     * the same tenant and trace context; a fresh eventId and timestamp. Source and data must be set.
     */
    public Builder followUp(String followUpType) {
        return builder().eventType(followUpType).correlationId(correlationId).causationId(eventId)
                .tenantId(tenantId).traceContext(traceContext);
    }

    /** A builder pre-filled with every field of this envelope, to derive a modified copy. */
    public Builder toBuilder() {
        Builder b = builder().eventId(eventId).eventType(eventType).eventVersion(eventVersion).timestamp(timestamp)
                .source(source).correlationId(correlationId).causationId(causationId)
                .tenantId(tenantId).traceContext(traceContext);
        if (rawData != null && data == null) {
            b.rawData(rawData, rawOffset, rawLength, rawMapper);
        } else {
            b.data(data());
        }
        if (!extensions.isEmpty()) {
            b.extensions = new LinkedHashMap<>(extensions);
        }
        return b;
    }

    public UUID eventId() { return eventId; }
    public String eventType() { return eventType; }
    public String eventVersion() { return eventVersion; }
    public Instant timestamp() { return timestamp; }
    public String source() { return source; }
    public UUID correlationId() { return correlationId; }
    /**
     * The payload object; read-only by contract (see class comment). For a decoded envelope the tree
     * is built on first call (the bytes were already checked to be one well-formed object).
     */
    public ObjectNode data() {
        ObjectNode d = data;
        if (d == null) {
            try {
                d = (ObjectNode) rawMapper.readTree(rawData, rawOffset, rawLength);
            } catch (java.io.IOException e) {
                throw new InvalidEventException(InvalidEventException.Code.MALFORMED_JSON, "data", e.getMessage(), e);
            }
            data = d;
        }
        return d;
    }

    /**
     * The payload as JSON text: for a decoded envelope exactly the bytes received (no tree is built),
     * e.g. to store it as {@code jsonb} without parsing it.
     */
    public String dataJson() {
        if (rawData != null) {
            return new String(rawData, rawOffset, rawLength, StandardCharsets.UTF_8);
        }
        return data.toString();
    }

    /** Writes the received payload bytes as they are; false if this envelope was built from a tree. */
    boolean writeRawData(JsonGenerator g) throws java.io.IOException {
        if (rawData == null) {
            return false;
        }
        g.writeRawValue(new String(rawData, rawOffset, rawLength, StandardCharsets.UTF_8));
        return true;
    }
    /** The event that caused this one, or {@code null} at the start of a chain. */
    public UUID causationId() { return causationId; }
    /** The tenant, or {@code null}. */
    public String tenantId() { return tenantId; }
    /** The W3C trace context, or {@code null}. */
    public TraceContext traceContext() { return traceContext; }
    /**
     * Top-level fields beyond the core envelope, in the order they arrived: those unknown to this version,
     * and the optional {@code partitionKey} and {@code replyTo} (read them with {@link #partitionKey()} and
     * {@link #replyTo()}).
     */
    public Map<String, JsonNode> extensions() { return extensions; }

    /**
     * The partition key, or {@code null}: events with the same key (e.g. an aggregate id) are kept in
     * order by the outbox relay and by subscriptions that ask for ordering per key.
     */
    public String partitionKey() {
        JsonNode n = extensions.get(EnvelopeFields.PARTITION_KEY);
        return n == null ? null : n.textValue();
    }

    /**
     * For a command: the event type the caller wants the answer published as, or {@code null}. The handler
     * answers with {@code followUp(replyTo())}, which keeps the correlation and names this event as cause.
     */
    public String replyTo() {
        JsonNode n = extensions.get(EnvelopeFields.REPLY_TO);
        return n == null ? null : n.textValue();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof EventEnvelope e && eventId.equals(e.eventId) && eventType.equals(e.eventType)
                && eventVersion.equals(e.eventVersion) && timestamp.equals(e.timestamp) && source.equals(e.source)
                && correlationId.equals(e.correlationId) && sameData(e)
                && Objects.equals(causationId, e.causationId) && Objects.equals(tenantId, e.tenantId)
                && Objects.equals(traceContext, e.traceContext) && extensions.equals(e.extensions);
    }

    /**
     * Same JSON payload. Jackson's node equality is type-sensitive (a double 5.0E-4 from a builder and
     * the exact decimal the codec reads back are different nodes), so numbers compare by value.
     */
    private boolean sameData(EventEnvelope e) {
        return data().equals(SAME_NUMBER_VALUE, e.data());
    }

    private static final Comparator<JsonNode> SAME_NUMBER_VALUE = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        return a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
    };

    @Override
    public int hashCode() {
        return eventId.hashCode() * 31 + eventType.hashCode();
    }

    @Override
    public String toString() {
        return "EventEnvelope{" + eventType + " " + eventId + " from " + source + " correlation " + correlationId + "}";
    }

    /**
     * Builds a valid envelope. Absent eventId and timestamp are generated; an absent correlationId
     * starts a new chain (correlationId = eventId). eventType, source and data are required.
     * {@link #build()} throws {@link InvalidEventException} naming the field.
     */
    public static final class Builder {
        private final Clock clock;
        private UUID eventId;
        private String eventType;
        private String eventVersion = DEFAULT_EVENT_VERSION;
        private Instant timestamp;
        private String source;
        private UUID correlationId;
        private ObjectNode data;
        private byte[] rawData;
        private int rawOffset;
        private int rawLength;
        private ObjectMapper rawMapper;
        private UUID causationId;
        private String tenantId;
        private TraceContext traceContext;
        /** Allocated on the first extension: most events have none and decode is on the hot path. */
        private Map<String, JsonNode> extensions;

        private Builder(Clock clock) {
            this.clock = clock;
        }

        public Builder eventId(UUID v) { this.eventId = v; return this; }
        public Builder eventType(String v) { this.eventType = v; return this; }
        public Builder eventVersion(String v) { this.eventVersion = v; return this; }
        /** Truncated to milliseconds, the precision of the wire format. */
        public Builder timestamp(Instant v) { this.timestamp = v == null ? null : v.truncatedTo(ChronoUnit.MILLIS); return this; }
        public Builder source(String v) { this.source = v; return this; }
        public Builder correlationId(UUID v) { this.correlationId = v; return this; }
        /** The payload; the envelope keeps this node (no copy), so do not modify it afterwards. */
        public Builder data(ObjectNode v) { this.data = v; return this; }

        /** The codec's path: payload bytes already checked to be one JSON object, parsed on demand. */
        Builder rawData(byte[] bytes, int offset, int length, ObjectMapper mapper) {
            this.data = null;
            this.rawData = bytes;
            this.rawOffset = offset;
            this.rawLength = length;
            this.rawMapper = mapper;
            return this;
        }
        public Builder causationId(UUID v) { this.causationId = v; return this; }
        public Builder tenantId(String v) { this.tenantId = v; return this; }
        public Builder traceContext(TraceContext v) { this.traceContext = v; return this; }

        /** See {@link EventEnvelope#partitionKey()}; {@code null} removes it. Non-empty, at most {@value EventEnvelope#MAX_PARTITION_KEY_LENGTH} chars. */
        public Builder partitionKey(String v) { return optionalText(EnvelopeFields.PARTITION_KEY, v); }

        /** See {@link EventEnvelope#replyTo()}; an event type {@code domain.NounVerb}, {@code null} removes it. */
        public Builder replyTo(String v) { return optionalText(EnvelopeFields.REPLY_TO, v); }

        private Builder optionalText(String field, String v) {
            if (v == null) {
                if (extensions != null) {
                    extensions.remove(field);
                }
                return this;
            }
            if (extensions == null) {
                extensions = new LinkedHashMap<>();
            }
            extensions.put(field, TextNode.valueOf(v));
            return this;
        }

        /**
         * Adds a top-level field unknown to this version (normally only the codec does this).
         *
         * @throws InvalidEventException {@code INVALID_FIELD} if {@code name} is one of the envelope's own fields
         */
        public Builder extension(String name, JsonNode value) {
            if (EnvelopeFields.isKnown(name)) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, name,
                        "is an envelope field, not an extension");
            }
            if (extensions == null) {
                extensions = new LinkedHashMap<>();
            }
            if (extensions.putIfAbsent(name, Objects.requireNonNull(value, "extension value")) != null) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, name, "appears twice");
            }
            return this;
        }

        public EventEnvelope build() {
            if (eventType == null) {
                throw missing("eventType");
            }
            if (FieldRules.eventTypeDot(eventType) < 0) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_EVENT_TYPE, "eventType",
                        "event type must be domain.NounVerb (e.g. connector.DataReceived), got " + eventType);
            }
            if (eventVersion == null) {
                throw missing("eventVersion");
            }
            if (!FieldRules.isEventVersion(eventVersion)) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "eventVersion",
                        "must be <major>.<minor> such as 1.0, got " + eventVersion);
            }
            if (source == null || source.isBlank()) {
                throw missing("source");
            }
            if (data == null && rawData == null) {
                throw missing("data");
            }
            if (tenantId != null && tenantId.isEmpty()) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "tenantId",
                        "must be absent or non-empty");
            }
            if (extensions != null) {
                checkOptionalFields();
            }
            if (eventId == null) {
                eventId = EventIds.next();
            }
            if (timestamp == null) {
                timestamp = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            }
            if (correlationId == null) {
                correlationId = eventId;
            }
            return new EventEnvelope(this);
        }

        private void checkOptionalFields() {
            JsonNode key = extensions.get(EnvelopeFields.PARTITION_KEY);
            if (key != null && !key.isNull()) {
                if (!key.isTextual() || key.textValue().isEmpty() || key.textValue().length() > MAX_PARTITION_KEY_LENGTH) {
                    throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, EnvelopeFields.PARTITION_KEY,
                            "must be a non-empty string of at most " + MAX_PARTITION_KEY_LENGTH + " characters");
                }
            } else if (key != null) {
                extensions.remove(EnvelopeFields.PARTITION_KEY); // null counts as absent, like the other optional fields
            }
            JsonNode replyTo = extensions.get(EnvelopeFields.REPLY_TO);
            if (replyTo != null && !replyTo.isNull()) {
                if (!replyTo.isTextual() || FieldRules.eventTypeDot(replyTo.textValue()) < 0) {
                    throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, EnvelopeFields.REPLY_TO,
                            "must be an event type domain.NounVerb, got " + replyTo);
                }
            } else if (replyTo != null) {
                extensions.remove(EnvelopeFields.REPLY_TO);
            }
        }

        private static InvalidEventException missing(String field) {
            return new InvalidEventException(InvalidEventException.Code.MISSING_FIELD, field, "is required");
        }
    }
}
