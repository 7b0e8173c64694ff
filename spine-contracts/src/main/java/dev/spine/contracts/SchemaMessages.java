package dev.spine.contracts;

import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;
import dev.spine.contracts.InvalidEventException.Violation;

/**
 * Turns the validator's messages into the spine's: the path under {@code data} in dotted form
 * ({@code data.items[0].sku}) and a message without the validator's own location prefix; the common
 * cases get plain wording ({@code must be a valid email address}, {@code is required}).
 */
final class SchemaMessages {
    private SchemaMessages() {}

    static Violation violation(ValidationMessage m) {
        String path = dotted(m.getInstanceLocation());
        String type = m.getType();
        String key = m.getMessageKey() == null ? "" : m.getMessageKey();
        // "required" and "additionalProperties" are reported on the parent object: name the property itself
        if (("required".equals(type) || "additionalProperties".equals(type)) && m.getProperty() != null) {
            String field = path + "." + m.getProperty();
            return new Violation(field, "required".equals(type) ? "is required" : "is not allowed by the schema");
        }
        if (key.equals("format.email") || key.equals("format.idn-email")) {
            return new Violation(path, "must be a valid email address");
        }
        if (key.startsWith("format.")) {
            return new Violation(path, "must be a valid " + key.substring("format.".length()));
        }
        return new Violation(path, withoutLocation(m.getMessage()));
    }

    /** {@code /items/0/sku} → {@code data.items[0].sku}. */
    private static String dotted(JsonNodePath location) {
        StringBuilder out = new StringBuilder("data");
        if (location == null) {
            return out.toString();
        }
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                out.append('.').append(element);
            }
        }
        return out.toString();
    }

    /** The validator prefixes its messages with the location ("/email: ..."); the field carries that. */
    private static String withoutLocation(String message) {
        int colon = message.indexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }
}
