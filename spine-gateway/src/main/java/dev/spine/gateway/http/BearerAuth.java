package dev.spine.gateway.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Guards mutating endpoints with {@code Authorization: Bearer <SPINE_ADMIN_TOKEN>}. The comparison takes
 * the same time wherever the first wrong byte is ({@link MessageDigest#isEqual}), so the token cannot be
 * guessed byte by byte from response times. With no token configured every mutating call is refused:
 * an admin API open to anyone who reaches the port is never the default. The token is never logged and
 * never echoed.
 */
public final class BearerAuth {
    private static final String PREFIX = "Bearer ";
    private final byte[] token;

    public BearerAuth(String token) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code handler}, run only for a request that carries the token. */
    public Handler require(Handler handler) {
        return ctx -> {
            check(ctx);
            handler.handle(ctx);
        };
    }

    /** Throws a 401 {@link ApiException} unless the request carries the token. */
    public void check(Context ctx) {
        if (token == null) {
            throw new ApiException(401, "UNAUTHORIZED",
                    "mutating admin endpoints are disabled: set SPINE_ADMIN_TOKEN to enable them", Map.of());
        }
        if (!MessageDigest.isEqual(token, bearer(ctx).getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "UNAUTHORIZED", "missing or wrong bearer token", Map.of());
        }
    }

    /** The bearer token of the request, or "". */
    public static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith(PREFIX) ? header.substring(PREFIX.length()).trim() : "";
    }
}
