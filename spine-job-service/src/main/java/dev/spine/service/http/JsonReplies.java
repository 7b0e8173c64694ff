package dev.spine.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes JSON bodies with one shared Jackson mapper. Bodies are built as maps and lists by
 * {@link JsonViews}, so the wire format is spelled out in one place rather than derived from records.
 */
final class JsonReplies {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonReplies() {}

    static void ok(Context ctx, Object body) {
        write(ctx, 200, body);
    }

    static void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            // bodies are maps of strings, numbers and JsonNodes: failing here is a bug, reported as a 500
            throw new IllegalStateException("cannot write a JSON reply", e);
        }
    }

    static void error(Context ctx, ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("errorCode", e.code());
        body.put("message", e.getMessage());
        body.put("details", e.details());
        write(ctx, e.status(), body);
    }

    /** {@code {"status":"ok", ...more}} */
    static Map<String, Object> okBody(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
