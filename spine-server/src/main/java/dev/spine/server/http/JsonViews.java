package dev.spine.server.http;

import dev.spine.gateway.http.JsonReplies;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.QueueStats;
import dev.spine.service.RejectedEvent;
import dev.spine.service.ReplayReport;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's JSON shapes of queues, jobs, dead jobs, rejected events and replay reports. */
public final class JsonViews {
    /** Characters of a rejected event's raw bytes shown as text. */
    static final int PREVIEW_CHARS = 200;

    private JsonViews() {}

    /** A page of a listing: {@code {"items": [...], "next": cursor or null}} (see {@code Cursor}). */
    public static Map<String, Object> page(List<?> items, String next) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("next", next);
        return m;
    }

    static Map<String, Object> queue(QueueStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", s.queue());
        m.put("paused", s.paused());
        m.put("available", s.available());
        m.put("scheduled", s.scheduled());
        m.put("running", s.running());
        m.put("dead", s.dead());
        return m;
    }

    static Map<String, Object> job(JobInfo j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id().toString());
        m.put("queue", j.queue());
        m.put("type", j.type());
        m.put("state", j.state());
        m.put("priority", j.priority());
        m.put("attempt", j.attempt());
        m.put("maxAttempts", j.maxAttempts());
        m.put("correlationId", j.correlationId());
        m.put("traceparent", j.traceparent());
        m.put("createdAt", text(j.createdAt()));
        m.put("finishedAt", text(j.finishedAt()));
        m.put("payload", json(j.payloadJson()));
        m.put("errors", json(j.errorsJson()));
        return m;
    }

    static Map<String, Object> deadJob(DeadJob d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id().toString());
        m.put("queue", d.queue());
        m.put("type", d.type());
        m.put("priority", d.priority());
        m.put("attempts", d.attempts());
        m.put("maxAttempts", d.maxAttempts());
        m.put("idempotencyKey", d.idempotencyKey());
        m.put("correlationId", d.correlationId());
        m.put("createdAt", text(d.createdAt()));
        m.put("diedAt", text(d.diedAt()));
        m.put("payload", json(d.payloadJson()));
        m.put("errors", json(d.errorsJson()));
        return m;
    }

    /** A rejected event as {@code GET /v1/rejected-events} and {@code spine rejected-events --json} show it. */
    public static Map<String, Object> rejected(RejectedEvent r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("receivedAt", text(r.receivedAt()));
        m.put("stream", r.stream());
        m.put("streamSequence", r.streamSequence());
        m.put("subject", r.subject());
        m.put("headers", r.headers());
        m.put("code", r.code());
        m.put("field", r.field());
        m.put("reason", r.reason());
        m.put("size", r.raw() == null ? 0 : r.raw().length);
        m.put("rawBase64", r.raw() == null ? null : Base64.getEncoder().encodeToString(r.raw()));
        m.put("preview", preview(r.raw()));
        m.put("previewIsUtf8", r.raw() == null || isUtf8(r.raw()));
        return m;
    }

    static Map<String, Object> replay(ReplayReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ok");
        m.put("events", r.events());
        m.put("malformed", r.malformed());
        m.put("jobs", r.jobs());
        m.put("created", r.created());
        m.put("unrouted", r.unrouted());
        m.put("lastSequence", r.lastSequence());
        return m;
    }

    /** The first {@link #PREVIEW_CHARS} characters of the bytes read as UTF-8 (bad bytes become U+FFFD). */
    static String preview(byte[] raw) {
        if (raw == null) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        return s.length() <= PREVIEW_CHARS ? s : s.substring(0, PREVIEW_CHARS) + "…";
    }

    private static boolean isUtf8(byte[] raw) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    /** Stored JSON as JSON, so clients need not parse a string inside a string. */
    private static Object json(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return JsonReplies.MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse (the column is jsonb)", e);
        }
    }
}
