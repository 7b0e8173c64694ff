package dev.spine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One condition on a field of an event's {@code data}: {@code priority in [high, critical]},
 * {@code amount gte 100}, {@code customer.tier eq "gold"}, {@code region exists}. The field is a dotted
 * path into {@code data}. Comparisons are by JSON value: the string {@code "1"} does not equal the number
 * {@code 1}; {@code gt/gte/lt/lte} compare numbers with numbers and strings with strings, and are false
 * for anything else. A missing field matches only {@code notIn} and {@code ne}.
 */
record DataFilter(String field, Op op, List<JsonNode> values) {

    /** The comparison of a filter. */
    public enum Op {
        EQ("eq"), NE("ne"), IN("in"), NOT_IN("notIn"), EXISTS("exists"), GT("gt"), GTE("gte"), LT("lt"), LTE("lte");

        private final String wire;

        Op(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The op spelled {@code wire}, or null. */
        static Op of(String wire) {
            for (Op o : values()) {
                if (o.wire.equals(wire)) {
                    return o;
                }
            }
            return null;
        }
    }

    public DataFilter {
        values = List.copyOf(values);
    }

    /** Whether {@code data} satisfies this filter. */
    public boolean test(ObjectNode data) {
        JsonNode v = data;
        for (String part : field.split("\\.")) {
            v = v == null ? null : v.get(part);
        }
        boolean present = v != null && !v.isMissingNode();
        return switch (op) {
            case EXISTS -> present && !v.isNull();
            case EQ -> present && v.equals(values.get(0));
            case NE -> !present || !v.equals(values.get(0));
            case IN -> present && values.contains(v);
            case NOT_IN -> !present || !values.contains(v);
            case GT -> present && compare(v, values.get(0)) > 0;
            case GTE -> present && compare(v, values.get(0)) >= 0;
            case LT -> present && compare(v, values.get(0)) < 0 && compare(v, values.get(0)) != Integer.MIN_VALUE;
            case LTE -> present && compare(v, values.get(0)) <= 0 && compare(v, values.get(0)) != Integer.MIN_VALUE;
        };
    }

    /** Integer.MIN_VALUE when the two are not comparable (the caller treats that as no match). */
    private static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual() && b.isTextual()) {
            return Integer.signum(a.asText().compareTo(b.asText()));
        }
        return Integer.MIN_VALUE;
    }

    /** The wire form: {@code {"field":..,"op":..,"value":..}} or {@code "values":[..]} for in/notIn. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("field", field);
        m.put("op", op.wire());
        if (op == Op.IN || op == Op.NOT_IN) {
            m.put("values", JsonNodeFactory.instance.arrayNode().addAll(values));
        } else if (op != Op.EXISTS) {
            m.put("value", values.get(0));
        }
        return m;
    }
}
