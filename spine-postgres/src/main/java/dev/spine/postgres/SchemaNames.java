package dev.spine.postgres;

import java.util.regex.Pattern;

/**
 * The one rule for schema names: they are put into SQL text (identifiers cannot be bind parameters), so
 * only plain lower-case identifiers pass. Up to 58 characters, so that names derived from a schema
 * (channels, history tables) stay within PostgreSQL's 63-byte identifier limit.
 */
public final class SchemaNames {
    /** Longest schema name accepted. */
    public static final int MAX_LENGTH = 58;
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0," + (MAX_LENGTH - 1) + "}");

    private SchemaNames() {}

    /**
     * Returns {@code schema} when it is a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most
     * {@value #MAX_LENGTH} characters).
     *
     * @throws IllegalArgumentException naming the field {@code schema} and the rejected value
     */
    public static String check(String schema) {
        if (!isValid(schema)) {
            throw new IllegalArgumentException("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, up to "
                    + MAX_LENGTH + " chars), got '" + schema + "'");
        }
        return schema;
    }

    /** Whether {@link #check} accepts {@code schema}. */
    public static boolean isValid(String schema) {
        return schema != null && SCHEMA.matcher(schema).matches();
    }
}
