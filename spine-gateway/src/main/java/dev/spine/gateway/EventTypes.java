package dev.spine.gateway;

import dev.spine.contracts.EventType;
import java.util.List;

/** Event-type patterns as publishers and subscriptions name them: {@code domain.NounVerb} or {@code domain.*}. */
final class EventTypes {
    private EventTypes() {}

    static boolean isPattern(String p) {
        if (p == null) {
            return false;
        }
        return p.endsWith(".*") ? EventType.isValid(p.substring(0, p.length() - 1) + "X") : EventType.isValid(p);
    }

    static boolean matches(String pattern, String type) {
        return pattern.endsWith(".*") ? type.startsWith(pattern.substring(0, pattern.length() - 1))
                && type.indexOf('.') == pattern.length() - 2 : pattern.equals(type);
    }

    static boolean matchesAny(List<String> patterns, String type) {
        for (String p : patterns) {
            if (matches(p, type)) {
                return true;
            }
        }
        return false;
    }
}
