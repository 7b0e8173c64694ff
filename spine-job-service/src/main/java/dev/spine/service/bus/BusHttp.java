package dev.spine.service.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.service.http.ApiException;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** What every bus route shares: JSON in and out, the admin token check, typed parameters that name themselves. */
final class BusHttp {
    static final ObjectMapper JSON = new ObjectMapper();

    private BusHttp() {}

    static void reply(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON reply", e);
        }
    }

    /** {@code {"status":"ok", k1: v1, ...}} */
    static Map<String, Object> ok(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static JsonNode body(Context ctx) {
        String body = ctx.body();
        try {
            JsonNode json = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
            if (!json.isObject()) {
                throw ApiException.invalid("INVALID_JSON", "body", "the body must be a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }

    /** Refuses the request unless it carries {@code Authorization: Bearer <SPINE_ADMIN_TOKEN>} (constant-time check). */
    static void requireAdmin(Context ctx, String adminToken) {
        if (adminToken == null || adminToken.isEmpty()) {
            throw new ApiException(401, "UNAUTHORIZED",
                    "mutating admin endpoints are disabled: set SPINE_ADMIN_TOKEN to enable them", Map.of());
        }
        if (!MessageDigest.isEqual(adminToken.getBytes(StandardCharsets.UTF_8),
                bearer(ctx).getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "UNAUTHORIZED", "missing or wrong bearer token", Map.of());
        }
    }

    /** The bearer token of the request, or "". */
    static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
    }

    static UUID uuidPath(Context ctx, String name) {
        return uuid(ctx.pathParam(name), name);
    }

    static UUID uuid(String v, String name) {
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("INVALID_FIELD", name, name + " must be a UUID, was '" + v + "'");
        }
    }

    static String query(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    static long number(Context ctx, String name, long fallback, long min, long max) {
        String v = query(ctx, name);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw ApiException.invalid("INVALID_FIELD", name, name + " must be a whole number " + min + ".." + max
                + ", was '" + v + "'");
    }

    /** A whole number >= 1 from a path segment. */
    static long number(String v, String name) {
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

    static Instant instant(Context ctx, String name) {
        String v = query(ctx, name);
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
