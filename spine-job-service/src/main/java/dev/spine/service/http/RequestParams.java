package dev.spine.service.http;

import io.javalin.http.Context;
import java.util.UUID;

/** Reads path and query parameters; a bad value is a 400 that names the parameter. */
final class RequestParams {
    private RequestParams() {}

    static UUID uuid(Context ctx, String name) {
        String v = ctx.pathParam(name);
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("INVALID_FIELD", name, name + " must be a UUID, was '" + v + "'");
        }
    }

    /** An optional whole-number query parameter in {@code min..max}; {@code fallback} when absent. */
    static long number(Context ctx, String name, long fallback, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range, like an out-of-range value
        }
        throw ApiException.invalid("INVALID_FIELD", name, name + " must be a whole number " + min + ".." + max
                + ", was '" + v + "'");
    }

    /** An optional text query parameter; {@code null} when absent or blank. */
    static String text(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    static String requiredText(Context ctx, String name) {
        String v = text(ctx, name);
        if (v == null) {
            throw ApiException.invalid("MISSING_FIELD", name, "query parameter " + name + " is required");
        }
        return v;
    }
}
