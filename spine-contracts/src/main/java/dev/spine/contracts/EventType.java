package dev.spine.contracts;

import dev.spine.contracts.internal.FieldRules;

/**
 * A parsed event type {@code domain.NounVerb}: a lower-case domain ({@code [a-z][a-z0-9]*}), one dot,
 * and a PascalCase name ({@code [A-Z][A-Za-z0-9]*}), e.g. {@code connector.DataReceived}. The
 * event type is also the NATS subject the event is published on.
 */
public record EventType(String domain, String name) {

    public EventType {
        if (!FieldRules.isDomain(domain) || !FieldRules.isPascalName(name)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_EVENT_TYPE, "eventType",
                    "event type must be domain.NounVerb (e.g. connector.DataReceived), got " + domain + "." + name);
        }
    }

    /**
     * Parses {@code domain.NounVerb}.
     *
     * @throws InvalidEventException {@code INVALID_EVENT_TYPE} naming field {@code eventType}
     */
    public static EventType parse(String eventType) {
        int dot = FieldRules.eventTypeDot(eventType);
        if (dot < 0) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_EVENT_TYPE, "eventType",
                    "event type must be domain.NounVerb (e.g. connector.DataReceived), got " + eventType);
        }
        return new EventType(eventType.substring(0, dot), eventType.substring(dot + 1));
    }

    /** True if {@code eventType} is a well-formed {@code domain.NounVerb}. */
    public static boolean isValid(String eventType) {
        return FieldRules.eventTypeDot(eventType) >= 0;
    }

    /**
     * True if {@code eventType} matches {@code pattern}: the same type, or the pattern's domain for
     * {@code domain.*}.
     */
    public static boolean matches(String pattern, String eventType) {
        return pattern.equals(eventType)
                || (pattern.endsWith(".*") && eventType.startsWith(pattern.substring(0, pattern.length() - 1)));
    }

    /** True if {@code patterns} is empty (everything matches) or one of them matches {@code eventType}. */
    public static boolean matchesAny(java.util.List<String> patterns, String eventType) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (String p : patterns) {
            if (matches(p, eventType)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return domain + "." + name;
    }
}
