package dev.spine.contracts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the table of a settings record's {@code SPINE_*} variables: name to {default, meaning}, in the
 * order {@code --help} lists them. The built table cannot be changed, so no caller can alter another's
 * defaults.
 */
public final class VariableTable {
    private final Map<String, String[]> table = new LinkedHashMap<>();

    /** An empty table; {@link #add} the variables in the order {@code --help} should list them. */
    public VariableTable() {}

    /** Adds {@code name} with its default ("" for none) and what it means; a name given twice is a bug. */
    public VariableTable add(String name, String fallback, String meaning) {
        if (table.putIfAbsent(name, new String[] {fallback, meaning}) != null) {
            throw new IllegalStateException("variable " + name + " listed twice");
        }
        return this;
    }

    /** Adds every variable of another table. */
    public VariableTable addAll(Map<String, String[]> other) {
        other.forEach((name, v) -> add(name, v[0], v[1]));
        return this;
    }

    public Map<String, String[]> build() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(table));
    }
}
