package dev.spine.contracts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Objects;

/**
 * An event type bound to the Java record (or other Jackson-mappable class) that is its {@code data},
 * so events are built and read without hand-written JSON. Immutable and thread-safe; keep one per type
 * as a constant:
 *
 * <pre>{@code
 * record EmailSendRequested(String to, String subject, String body) {}
 * static final TypedEvent<EmailSendRequested> EMAIL =
 *         TypedEvent.of("communication.EmailSendRequested", EmailSendRequested.class);
 *
 * EventEnvelope e = EMAIL.envelope("mailer", new EmailSendRequested("ann@example.com", "Hi", "..."))
 *         .correlationId(cause.correlationId()).build();
 * EmailSendRequested back = EMAIL.dataOf(e);
 * }</pre>
 *
 * <p>Mapping: record components become {@code data} fields; {@code java.time} values are ISO-8601
 * strings; numbers keep their exact value. Reading ignores {@code data} fields the class does not know
 * (a newer minor version may add fields) and fails with {@code INVALID_FIELD} on field {@code data} when
 * the data cannot become the class (missing constructor argument types, wrong JSON types).
 */
public final class TypedEvent<T> {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private final String eventType;
    private final String eventVersion;
    private final Class<T> dataClass;

    private TypedEvent(String eventType, String eventVersion, Class<T> dataClass) {
        this.eventType = eventType;
        this.eventVersion = eventVersion;
        this.dataClass = dataClass;
    }

    /**
     * {@code eventType} at version {@link EventEnvelope#DEFAULT_EVENT_VERSION} carrying {@code dataClass}.
     *
     * @throws InvalidEventException {@code INVALID_EVENT_TYPE} if the type is not {@code domain.NounVerb}
     */
    public static <T> TypedEvent<T> of(String eventType, Class<T> dataClass) {
        return of(eventType, EventEnvelope.DEFAULT_EVENT_VERSION, dataClass);
    }

    /** {@code eventType} at {@code eventVersion} carrying {@code dataClass}; both are checked now. */
    public static <T> TypedEvent<T> of(String eventType, String eventVersion, Class<T> dataClass) {
        EventType.parse(eventType);
        if (!dev.spine.contracts.internal.FieldRules.isEventVersion(eventVersion)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "eventVersion",
                    "must be <major>.<minor> such as 1.0, got " + eventVersion);
        }
        return new TypedEvent<>(eventType, eventVersion, Objects.requireNonNull(dataClass, "dataClass"));
    }

    public String eventType() { return eventType; }
    public String eventVersion() { return eventVersion; }
    public Class<T> dataClass() { return dataClass; }

    /** An envelope builder with this type, version and {@code data}; set source (required) and any other field. */
    public EventEnvelope.Builder envelope(T data) {
        return EventEnvelope.builder().eventType(eventType).eventVersion(eventVersion).data(toJson(data));
    }

    /** An envelope builder as {@link #envelope(Object)} with {@code source} set. */
    public EventEnvelope.Builder envelope(String source, T data) {
        return envelope(data).source(source);
    }

    /** True if {@code event} is of this type (any version). */
    public boolean matches(EventEnvelope event) {
        return eventType.equals(event.eventType());
    }

    /**
     * The event's data as the Java class.
     *
     * @throws InvalidEventException {@code INVALID_EVENT_TYPE} on field {@code eventType} for an event of
     *     another type, {@code INVALID_FIELD} on field {@code data} if the data does not fit the class
     */
    public T dataOf(EventEnvelope event) {
        if (!matches(event)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_EVENT_TYPE, "eventType",
                    "expected " + eventType + ", got " + event.eventType());
        }
        try {
            // from the received bytes: no intermediate tree for a decoded envelope
            return MAPPER.readValue(event.dataJson(), dataClass);
        } catch (IOException e) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "data",
                    "cannot read " + eventType + " data as " + dataClass.getSimpleName() + ": "
                            + firstLine(e.getMessage()), e);
        }
    }

    /** {@code data} as the JSON object the envelope carries. */
    public ObjectNode toJson(T data) {
        Objects.requireNonNull(data, "data");
        JsonNode node = MAPPER.valueToTree(data);
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "data",
                    dataClass.getSimpleName() + " must map to a JSON object, got " + node.getNodeType());
        }
        return object;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public String toString() {
        return "TypedEvent{" + eventType + " " + eventVersion + " as " + dataClass.getSimpleName() + "}";
    }
}
