package dev.spine.gateway.http;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** Reads path and query parameters of every route; a bad value is a 400 that names the parameter. */
public final class RequestParams {
    private RequestParams() {}

    /** The path parameter {@code name} as a UUID. */
    public static UUID uuid(Context ctx, String name) {
        return uuid(ctx.pathParam(name), name);
    }

    /** {@code v}, the value of parameter {@code name}, as a UUID. */
    public static UUID uuid(String v, String name) {
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("INVALID_FIELD", name, name + " must be a UUID, was '" + v + "'");
        }
    }

    /** An optional whole-number query parameter in {@code min..max}; {@code fallback} when absent. */
    public static long number(Context ctx, String name, long fallback, long min, long max) {
        String v = text(ctx, name);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range, like an out-of-range value
        }
        throw ApiException.invalid("INVALID_FIELD", name, name + " must be a whole number " + min + ".." + max
                + ", was '" + v + "'");
    }

    /** A whole number >= 1 from a path segment. */
    public static long positive(String v, String name) {
        try {
            long n = Long.parseLong(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("INVALID_FIELD", name, name + " must be a whole number >= 1, was '" + v + "'");
    }

    /** An optional text query parameter; {@code null} when absent or blank. */
    public static String text(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public static String requiredText(Context ctx, String name) {
        String v = text(ctx, name);
        if (v == null) {
            throw ApiException.invalid("MISSING_FIELD", name, "query parameter " + name + " is required");
        }
        return v;
    }

    /** An optional ISO-8601 instant query parameter; {@code null} when absent. */
    public static Instant instant(Context ctx, String name) {
        String v = text(ctx, name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("INVALID_FIELD", name, name + " must be an ISO-8601 instant such as "
                    + "2026-01-01T12:00:00Z, was '" + v + "'");
        }
    }
}
