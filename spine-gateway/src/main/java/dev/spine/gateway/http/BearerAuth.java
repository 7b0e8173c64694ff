package dev.spine.gateway.http;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Guards endpoints with {@code Authorization: Bearer <key>}, for one realm: {@code admin} (mutating calls,
 * {@code SPINE_ADMIN_TOKEN}) or {@code read} (payload-bearing reads, {@code SPINE_READ_TOKEN} or the admin
 * token). Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, against every key of the
 * realm without stopping at a match, so neither a key's bytes nor its length can be learnt from response
 * times. A refused request is a 401 that says nothing about why (missing, wrong, or which key it came close
 * to) and counts in {@code spine.http.auth_failures.<realm>} ({@code spine_http_auth_failures_total{realm}}
 * on {@code /metrics}). With no key configured the realm refuses everything, and the message says which
 * variable enables it: an API open to anyone who reaches the port is never the default. Keys are never
 * logged and never echoed.
 */
public final class BearerAuth {
    /** The prefix of the Dropwizard counters of refused requests; the realm follows it. */
    public static final String FAILURES_METRIC = "spine.http.auth_failures.";
    private static final String PREFIX = "Bearer ";

    private final String realm;
    private final List<byte[]> keyDigests;
    private final boolean open;
    private final String disabledMessage;
    private final Counter failures;

    private BearerAuth(String realm, List<String> keys, boolean open, String disabledMessage, MetricRegistry metrics) {
        this.realm = realm;
        List<byte[]> digests = new ArrayList<>();
        for (String k : keys) {
            if (k != null && !k.isEmpty()) {
                digests.add(digest(k));
            }
        }
        this.keyDigests = List.copyOf(digests);
        this.open = open;
        this.disabledMessage = disabledMessage;
        this.failures = metrics.counter(FAILURES_METRIC + realm);
    }

    /** Mutating endpoints: {@code SPINE_ADMIN_TOKEN}; none set, they are refused. */
    public static BearerAuth admin(AccessKeys keys, MetricRegistry metrics) {
        return new BearerAuth("admin", List.of(keys.adminToken()), false,
                "mutating admin endpoints are disabled: set SPINE_ADMIN_TOKEN to enable them", metrics);
    }

    /**
     * Payload-bearing reads: {@code SPINE_READ_TOKEN} or {@code SPINE_ADMIN_TOKEN}; with neither set they are
     * refused, unless {@code SPINE_READ_OPEN=true} (a development machine) lets every read through.
     */
    public static BearerAuth reads(AccessKeys keys, MetricRegistry metrics) {
        return new BearerAuth("read", List.of(keys.readToken(), keys.adminToken()), keys.readOpen(),
                "reads need a key: set SPINE_READ_TOKEN (or SPINE_ADMIN_TOKEN) and send it as Authorization: Bearer, "
                        + "or SPINE_READ_OPEN=true on a development machine", metrics);
    }

    /** {@code handler}, run only for a request that carries a key of this realm. */
    public Handler require(Handler handler) {
        return ctx -> {
            check(ctx);
            handler.handle(ctx);
        };
    }

    /** Throws a 401 {@link ApiException} unless the request carries a key of this realm. */
    public void check(Context ctx) {
        if (!accepts(bearer(ctx))) {
            failures.inc();
            throw new ApiException(401, "UNAUTHORIZED", keyDigests.isEmpty() ? disabledMessage
                    : "missing or wrong bearer token", Map.of());
        }
    }

    /** Whether {@code key} is one of this realm's keys (always, for an open realm); constant time. */
    public boolean accepts(String key) {
        if (open) {
            return true;
        }
        byte[] given = digest(key == null ? "" : key);
        boolean match = false;
        for (byte[] k : keyDigests) {
            match |= MessageDigest.isEqual(k, given); // no short cut: every key is compared
        }
        return match;
    }

    /** {@code admin} or {@code read}: the label of the failures metric. */
    public String realm() {
        return realm;
    }

    /** The bearer token of the request, or "". */
    public static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header != null && header.startsWith(PREFIX) ? header.substring(PREFIX.length()).trim() : "";
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
