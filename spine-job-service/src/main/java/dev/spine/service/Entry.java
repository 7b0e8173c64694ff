package dev.spine.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** One mapping of a YAML list, with the line of the entry and of each of its fields, for error messages. */
record Entry(ObjectNode node, String source, int line, Map<String, Integer> fieldLines) {

    int lineOf(String field) {
        return fieldLines.getOrDefault(field, line);
    }

    RoutingException fail(String field, String reason) {
        return new RoutingException(source, lineOf(field), reason);
    }

    void allowOnly(String... fields) {
        Set<String> allowed = Set.of(fields);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw fail(f, "unknown field '" + f + "' (allowed: " + String.join(", ", fields) + ")");
            }
        }
    }

    String text(String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw fail(field, "'" + field + "' is required and must be text");
        }
        return v.asText();
    }
}
