package dev.spine.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON in and out of every route, with one shared Jackson mapper. Bodies are built as maps and lists,
 * so the wire format is spelled out where a route answers rather than derived from records. Errors are
 * always {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}.
 */
public final class JsonReplies {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonReplies() {}

    public static void ok(Context ctx, Object body) {
        write(ctx, 200, body);
    }

    public static void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            // bodies are maps of strings, numbers and JsonNodes: failing here is a bug, reported as a 500
            throw new IllegalStateException("cannot write a JSON reply", e);
        }
    }

    public static void error(Context ctx, ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("errorCode", e.code());
        body.put("message", e.getMessage());
        body.put("details", e.details());
        write(ctx, e.status(), body);
    }

    /** {@code {"status":"ok", k1: v1, ...}} */
    public static Map<String, Object> okBody(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** The request body as a JSON object ({@code {}} when empty); anything else is a 400 naming the body. */
    public static JsonNode body(Context ctx) {
        String body = ctx.body();
        try {
            JsonNode json = MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
            if (!json.isObject()) {
                throw ApiException.invalid("INVALID_JSON", "body", "the body must be a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** JSON this process stored itself; failing to parse it is a bug, not a client error. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }
}
