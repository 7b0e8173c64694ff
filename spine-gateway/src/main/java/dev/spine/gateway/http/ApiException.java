package dev.spine.gateway.http;

import java.util.Map;

/**
 * A request the API answers with an error: the HTTP status, a machine-readable code ({@code NOT_FOUND},
 * {@code INVALID_FIELD}, {@code UNAUTHORIZED}, ...), a message for people and details such as the
 * offending {@code field}.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, Object> details;

    public ApiException(int status, String code, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = Map.copyOf(details);
    }

    /** 400 naming the field that is wrong. */
    public static ApiException invalid(String code, String field, String message) {
        return new ApiException(400, code, message, field == null ? Map.of() : Map.of("field", field));
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(404, "NOT_FOUND", "no " + what + " " + id, Map.of("id", id));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
