package dev.spine.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.internal.FieldRules;
import dev.spine.contracts.internal.UtcMillis;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns the platform's older event shapes into the canonical envelope, at every entry (the HTTP gateway,
 * the job service's ingest, the subscriber SDK). A canonical envelope is never touched: {@link #decode}
 * tries the codec first, and only a body the codec refuses is looked at again. The shapes it knows
 * ({@link Shape}) are recognised by their fields; anything else is refused with the codec's own code and
 * field, as before.
 *
 * <p>What adapting does: the type is mapped by the {@linkplain #DEFAULT_TYPE_MAP type table} (then the
 * outbox rule {@code module:resource.action} → {@code module.ResourceAction}); {@code payload} becomes
 * {@code data}; {@code id} and {@code metadata.correlationId}/{@code causationId}/{@code tenantId}/
 * {@code source} are honoured; an id that is not a UUID becomes a name-based UUID (version 5) of itself, and
 * an event without any id gets the version-5 UUID of its body, so a retry of the same legacy event carries the
 * same eventId and deduplicates; timestamps of any ISO-8601 precision or offset (or epoch milliseconds) are
 * normalised to UTC milliseconds. The original body is kept beside the adapted fields, in the extension
 * {@value #ADAPTED_FROM} ({@code {"shape": ..., "original": {...}}}), so every store of the event keeps it.
 */
public final class EnvelopeAdapter {
    /** The extension that carries the shape and the original body of an adapted event. */
    public static final String ADAPTED_FROM = "adaptedFrom";
    /**
     * Legacy type names of the platform and their canonical names; {@link Builder#typeMapping} adds to or
     * overrides them.
     */
    public static final Map<String, String> DEFAULT_TYPE_MAP = Map.of(
            "sync.started", "connector.SyncStarted",
            "sync.completed", "connector.SyncCompleted",
            "sync.failed", "connector.SyncFailed",
            "bhi.calculated", "rule.BhiCalculated",
            "task.completed", "job.TaskCompleted",
            "user.created", "data.UserCreated");
    /** The namespace of the name-based ids derived from legacy ids and bodies (fixed: ids must stay stable). */
    static final UUID LEGACY_NAMESPACE = UUID.fromString("6f1c2a4e-9d3b-5c7a-8e21-4b5d6c7e8f90");
    private static final String DEFAULT_SOURCE = "legacy-publisher";

    /** The legacy shapes, by the label metrics and listings use. */
    public enum Shape {
        /** The PostgreSQL event bus publishers: {@code {type, tenantId, payload, metadata: {...}}}. */
        PG_BUS("pg-bus"),
        /** The event-bus HTTP clients: {@code id} for eventId, {@code metadata.correlationId}. */
        HTTP_CLIENT("http-client"),
        /** The outbox-era modules: types named {@code module:resource.action}. */
        OUTBOX("outbox"),
        /** The canonical fields with a loose value: a timestamp without milliseconds, an id that is no UUID. */
        LOOSE("loose");

        private final String label;

        Shape(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A decoded event and the shape it was adapted from (null: it was canonical). */
    public record Decoded(EventEnvelope event, Shape shape) {}

    private static final EnvelopeAdapter DEFAULT = builder().build();

    private final Map<String, String> types;
    private final Clock clock;

    private EnvelopeAdapter(Builder b) {
        this.types = Map.copyOf(b.types);
        this.clock = b.clock;
    }

    /** The default type table and the system clock. */
    public static EnvelopeAdapter defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes {@code bytes}: a canonical envelope as {@code codec} does; a known legacy shape adapted first.
     *
     * @throws InvalidEventException the codec's own error when the body is neither (its code and field)
     */
    public Decoded decode(EventCodec codec, byte[] bytes) {
        try {
            return new Decoded(codec.decode(bytes), null);
        } catch (InvalidEventException refused) {
            ObjectNode json = parseObject(codec.objectMapper(), bytes);
            Shape shape = json == null ? null : adapt(json);
            if (shape == null) {
                throw refused;
            }
            try {
                return new Decoded(codec.decode(codec.objectMapper().writeValueAsBytes(json)), shape);
            } catch (IOException e) {
                throw refused;
            }
        }
    }

    /**
     * Adapts a parsed body in place when it is a known legacy shape; returns that shape, or null when the
     * body is canonical or unknown (then it is left as it was).
     */
    public Shape adapt(ObjectNode json) {
        return adapt(json, DEFAULT_SOURCE);
    }

    /** {@link #adapt(ObjectNode)} with the source to give an event that names none (e.g. its publisher's name). */
    public Shape adapt(ObjectNode json, String defaultSource) {
        Shape shape = shapeOf(json);
        if (shape == null) {
            return null;
        }
        ObjectNode original = json.deepCopy();
        ObjectNode metadata = json.path("metadata").isObject() ? (ObjectNode) json.get("metadata") : null;
        String type = text(json, "eventType", text(json, "type", null));
        if (type != null) {
            json.put("eventType", canonicalType(type));
        }
        json.remove("type");
        if (!json.has("data") && json.has("payload")) {
            json.set("data", json.remove("payload"));
        }
        json.put("eventId", id(text(json, "eventId", text(json, "id", null)), original).toString());
        json.remove("id");
        String correlation = text(json, "correlationId", metadata == null ? null : text(metadata, "correlationId", null));
        json.put("correlationId", correlation == null ? json.get("eventId").asText() : uuidOf(correlation).toString());
        String causation = text(json, "causationId", metadata == null ? null : text(metadata, "causationId", null));
        if (causation != null) {
            json.put("causationId", uuidOf(causation).toString());
        }
        copyIfAbsent(json, metadata, "tenantId");
        copyIfAbsent(json, metadata, "source");
        if (!json.hasNonNull("source")) {
            json.put("source", metadata != null && metadata.hasNonNull("service") ? metadata.get("service").asText()
                    : defaultSource);
        }
        json.put("timestamp", UtcMillis.format(timestamp(json)));
        json.remove("createdAt");
        json.remove("occurredAt");
        JsonNode version = json.get("eventVersion");
        if (version == null || version.isNull()) {
            json.put("eventVersion", EventEnvelope.DEFAULT_EVENT_VERSION);
        } else if (version.isIntegralNumber()) {
            json.put("eventVersion", version.asInt() + ".0");
        }
        ObjectNode from = json.putObject(ADAPTED_FROM);
        from.put("shape", shape.label());
        from.set("original", original);
        return shape;
    }

    /** The canonical name of a type: the table's, else the outbox rule's, else the name as given. */
    public String canonicalType(String type) {
        String mapped = types.get(type);
        if (mapped == null) {
            mapped = types.get(type.toLowerCase(Locale.ROOT));
        }
        if (mapped != null) {
            return mapped;
        }
        int colon = type.indexOf(':');
        if (colon > 0) {
            return type.substring(0, colon).toLowerCase(Locale.ROOT) + "." + pascal(type.substring(colon + 1));
        }
        return type;
    }

    private Shape shapeOf(ObjectNode json) {
        if (json.has(ADAPTED_FROM)) {
            return null; // adapted already: whatever the codec refused, adapting again would not mend it
        }
        String type = text(json, "eventType", text(json, "type", null));
        if (type != null && type.indexOf(':') > 0) {
            return Shape.OUTBOX;
        }
        if (!json.has("eventType") && json.has("type") && json.path("payload").isObject()) {
            return Shape.PG_BUS;
        }
        if (!json.has("eventId") && (json.has("id") || json.path("metadata").has("correlationId"))) {
            return Shape.HTTP_CLIENT;
        }
        if (type != null && (!canonicalType(type).equals(type) || isLoose(json))) {
            return Shape.LOOSE;
        }
        return null;
    }

    /** A canonical field with a value the codec refuses but whose meaning is plain. */
    private static boolean isLoose(ObjectNode json) {
        for (String field : new String[] {"eventId", "correlationId", "causationId"}) {
            String v = text(json, field, null);
            if (v != null && FieldRules.parseUuid(v) == null) {
                return true;
            }
        }
        String t = text(json, "timestamp", null);
        return (t != null && UtcMillis.parse(t) == null) || json.path("timestamp").isIntegralNumber();
    }

    private Instant timestamp(ObjectNode json) {
        for (String field : new String[] {"timestamp", "createdAt", "occurredAt"}) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (v.isIntegralNumber()) {
                return Instant.ofEpochMilli(v.asLong());
            }
            Instant t = parseInstant(v.asText());
            if (t == null) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, field,
                        "must be an ISO-8601 date-time or epoch milliseconds, got " + v.asText());
            }
            return t;
        }
        return clock.instant();
    }

    private static Instant parseInstant(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException notOffset) {
            try {
                // no offset at all: the legacy publishers wrote UTC
                return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /** The given id as a UUID (a version-5 UUID of it when it is none), or the version-5 UUID of the body. */
    private static UUID id(String given, ObjectNode original) {
        if (given != null) {
            return uuidOf(given);
        }
        return nameBased(original.toString());
    }

    private static UUID uuidOf(String s) {
        try {
            if (s.length() == 36) {
                return UUID.fromString(s); // also upper-case ones: written back lower-case
            }
        } catch (IllegalArgumentException notUuid) {
            // falls through to a name-based id
        }
        return nameBased(s);
    }

    /** RFC 9562 version 5 (SHA-1, name-based) in {@link #LEGACY_NAMESPACE}. */
    static UUID nameBased(String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16).putLong(LEGACY_NAMESPACE.getMostSignificantBits())
                .putLong(LEGACY_NAMESPACE.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /** {@code product.created} or {@code stock_level.updated} → {@code ProductCreated}, {@code StockLevelUpdated}. */
    private static String pascal(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean upper = true;
        for (char c : s.toCharArray()) {
            if (c == '.' || c == '_' || c == '-' || c == ':') {
                upper = true;
            } else if (Character.isLetterOrDigit(c)) {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static void copyIfAbsent(ObjectNode json, ObjectNode metadata, String field) {
        if (!json.hasNonNull(field) && metadata != null && metadata.hasNonNull(field)) {
            json.set(field, metadata.get(field));
        }
    }

    private static String text(ObjectNode json, String field, String otherwise) {
        JsonNode v = json.get(field);
        return v != null && v.isTextual() ? v.asText() : otherwise;
    }

    private static ObjectNode parseObject(ObjectMapper mapper, byte[] bytes) {
        try {
            JsonNode n = mapper.readTree(bytes);
            return n instanceof ObjectNode o ? o : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The variable every adapting entry reads its added type names from (declared once, by the engine's settings). */
    public static final String TYPE_MAP_VARIABLE = "SPINE_EVENT_TYPE_MAP";

    /** The added type names of {@link #TYPE_MAP_VARIABLE} in {@code env} (none when unset). */
    public static Map<String, String> typeMapFrom(java.util.function.Function<String, String> env) {
        return parseTypeMap(env.apply(TYPE_MAP_VARIABLE), TYPE_MAP_VARIABLE);
    }

    /**
     * Reads a type table written as {@code old=new,old2=new2} (the form of a variable such as
     * {@code SPINE_EVENT_TYPE_MAP}); an entry without {@code =} or with an empty side fails naming the variable.
     */
    public static Map<String, String> parseTypeMap(String spec, String variable) {
        Map<String, String> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            String from = eq < 0 ? "" : entry.substring(0, eq).trim();
            String to = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (from.isEmpty() || FieldRules.eventTypeDot(to) < 0) {
                throw new ConfigException(variable, "each entry must be legacy=domain.NounVerb, got '" + entry.trim() + "'");
            }
            out.put(from, to);
        }
        return out;
    }

    /** {@code mapping} in the form {@link #parseTypeMap} reads ({@code old=new,old2=new2}). */
    public static String formatTypeMap(Map<String, String> mapping) {
        StringBuilder out = new StringBuilder();
        mapping.forEach((from, to) -> out.append(out.length() == 0 ? "" : ",").append(from).append('=').append(to));
        return out.toString();
    }

    /** The adapter an entry's settings ask for: the defaults plus {@code mapping}, or null when adapting is off. */
    public static EnvelopeAdapter ifOn(boolean on, Map<String, String> mapping) {
        return on ? builder().typeMapping(mapping).build() : null;
    }

    /** The type table (defaults plus additions) and the clock for events that carry no time. */
    public static final class Builder {
        private final Map<String, String> types = new LinkedHashMap<>(DEFAULT_TYPE_MAP);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Adds (or overrides) legacy type names and their canonical {@code domain.NounVerb} names. */
        public Builder typeMapping(Map<String, String> mapping) {
            types.putAll(Objects.requireNonNull(mapping, "mapping"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public EnvelopeAdapter build() {
            return new EnvelopeAdapter(this);
        }
    }
}
