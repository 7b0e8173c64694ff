package dev.spine.jobs;

import java.util.regex.Pattern;

/** Shapes of names the queue accepts: they end up in SQL identifiers and channel names, so they are strict. */
final class Names {
    private static final Pattern QUEUE = Pattern.compile("[a-z][a-z0-9_\\-]{0,62}");
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,57}");

    private Names() {}

    static String checkQueue(String name, String field) {
        if (name == null || name.isBlank()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, field, "a queue name is required");
        }
        if (!QUEUE.matcher(name).matches()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, field,
                    "queue names are lower-case letters, digits, '_' and '-', starting with a letter, up to 63: "
                            + name);
        }
        return name;
    }

    static String checkSchema(String name) {
        if (name == null || !SCHEMA.matcher(name).matches()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "schema",
                    "must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, up to 58 chars): " + name);
        }
        return name;
    }
}
