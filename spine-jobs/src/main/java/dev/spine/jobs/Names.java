package dev.spine.jobs;

import dev.spine.postgres.SchemaNames;
import java.util.regex.Pattern;

/** Shapes of names the queue accepts: they end up in SQL identifiers and channel names, so they are strict. */
final class Names {
    private static final Pattern QUEUE = Pattern.compile("[a-z][a-z0-9_\\-]{0,62}");

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

    /** {@link SchemaNames}' rule, reported as the queue's own error. */
    static String checkSchema(String name) {
        try {
            return SchemaNames.check(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "schema", e.getMessage());
        }
    }
}
