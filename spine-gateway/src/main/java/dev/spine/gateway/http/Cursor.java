package dev.spine.gateway.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * The one paging style of every listing: a request names {@code limit} and, for a page after the first, the
 * opaque {@code cursor} the previous page answered as {@code next} ({@code null} on the last page). A cursor is
 * where the previous page ended (a sequence, a row id, or a time and an id), base64url-encoded so that clients
 * treat it as a token, not a number to compute with; a cursor that does not decode is a 400 naming
 * {@code cursor}.
 */
public final class Cursor {
    public static final String PARAM = "cursor";
    private static final String VERSION = "1:";

    private Cursor() {}

    /** The cursor for a page that ended at {@code position} ({@link #longAt} reads it back). */
    public static String of(long position) {
        return encode(Long.toString(position));
    }

    /** The cursor for a page that ended at the row ({@code at}, {@code id}) ({@link #keyAt} reads it back). */
    public static String of(Instant at, UUID id) {
        return encode(at + "/" + id);
    }

    /** The position in the request's cursor, or {@code fallback} on a first page (no cursor). */
    public static long longAt(Context ctx, long fallback) {
        String v = decode(ctx);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    /** The position in {@code cursor} (a command line's {@code --cursor}); empty when it is not one of ours. */
    public static java.util.OptionalLong position(String cursor) {
        String v = payload(cursor);
        try {
            return v == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** A row key ({@code at}, {@code id}) from the request's cursor, or null on a first page. */
    public static Key keyAt(Context ctx) {
        String v = decode(ctx);
        if (v == null) {
            return null;
        }
        int slash = v.indexOf('/');
        try {
            return new Key(Instant.parse(v.substring(0, Math.max(slash, 0))), UUID.fromString(v.substring(slash + 1)));
        } catch (DateTimeParseException | IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw invalid();
        }
    }

    /** Where a page ordered by a time and an id ended. */
    public record Key(Instant at, UUID id) {}

    private static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The request's cursor decoded; null without one; a 400 for one this API did not give out. */
    private static String decode(Context ctx) {
        String raw = ctx.queryParam(PARAM);
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        String v = payload(raw);
        if (v == null) {
            throw invalid();
        }
        return v;
    }

    /** What {@link #encode} wrapped in {@code cursor}, or null when it is not one of ours. */
    private static String payload(String cursor) {
        try {
            String v = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return v.startsWith(VERSION) ? v.substring(VERSION.length()) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ApiException invalid() {
        return ApiException.invalid("INVALID_FIELD", PARAM, "not a cursor this API gave out: pass the previous page's "
                + "next as it is");
    }
}
