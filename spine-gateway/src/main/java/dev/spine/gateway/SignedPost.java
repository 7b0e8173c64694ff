package dev.spine.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A signed HTTP POST to a receiver outside the spine, under the webhook rules: the target must pass
 * {@link WebhookTargets} (internal addresses refused unless in {@code SPINE_BUS_WEBHOOK_ALLOW}; the connection
 * goes to exactly the addresses checked), the body is signed in {@link WebhookSignature#HEADER} with the
 * caller's secret, and a redirect is never followed. Used by webhook deliveries and by HTTP push job handlers.
 *
 * <p>{@link #sendInterruptibly} runs the POST on a thread of this object so that the caller can be interrupted
 * (a job past its timeout) and the connection is then closed at once: blocking socket reads ignore interrupts.
 * Those threads are made on demand and stopped by {@link #close()}.
 */
public final class SignedPost implements AutoCloseable {
    /** How long connecting may take, whatever the overall timeout. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * How one POST ended. {@code status} is 0 when no HTTP answer came; {@code error} starts with a code for a
     * refused target ({@code TARGET_LOOPBACK: ...}) or a redirect ({@code TARGET_REDIRECT: ...}); {@code retryAfter}
     * is the receiver's {@code Retry-After} (seconds or an HTTP date, from now), null when it sent none.
     */
    public record Delivery(boolean delivered, int status, String error, Duration retryAfter) {
        static Delivery failed(String error) {
            return new Delivery(false, 0, error, null);
        }
    }

    private final WebhookTargets targets;
    private final Clock clock;
    private final SSLContext tls;
    private final AtomicInteger threads = new AtomicInteger();
    private ExecutorService pool;

    /** Posts to targets {@code allow} admits, signing with {@code clock}'s time. */
    public SignedPost(WebhookAllowList allow, Clock clock) {
        this(new WebhookTargets(allow), clock);
    }

    SignedPost(WebhookTargets targets, Clock clock) {
        this.targets = targets;
        this.clock = clock;
        try {
            this.tls = SSLContext.getDefault(); // the JDK's trusted CAs, as java.net.http would use
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
        }
    }

    /** Why {@code url} may not be called, as {@code CODE: message} (the code first), or null when it may. */
    public String refusal(URI url) {
        WebhookTargets.Refusal r = targets.refusal(url);
        return r == null ? null : r.toString();
    }

    /** The code of {@link #refusal}'s answer ({@code TARGET_LOOPBACK}, {@code TARGET_UNRESOLVED}, ...), or null. */
    public String refusalCode(URI url) {
        WebhookTargets.Refusal r = targets.refusal(url);
        return r == null ? null : r.code();
    }

    /**
     * POSTs {@code body} to {@code url} with {@code headers} plus {@code Content-Type: application/json} and the
     * signature made with {@code secret}; waits at most {@code timeout} for the answer's head.
     */
    public Delivery send(URI url, String secret, Map<String, String> headers, byte[] body, Duration timeout) {
        return send(url, secret, headers, body, timeout, new PinnedPost.Abort());
    }

    /**
     * As {@link #send}, but an interrupt of the calling thread closes the connection and throws
     * {@link InterruptedException} (the caller's interrupt status is kept set).
     */
    public Delivery sendInterruptibly(URI url, String secret, Map<String, String> headers, byte[] body,
            Duration timeout) throws InterruptedException {
        PinnedPost.Abort abort = new PinnedPost.Abort();
        Future<Delivery> call = pool().submit(() -> send(url, secret, headers, body, timeout, abort));
        try {
            return call.get();
        } catch (InterruptedException e) {
            abort.abort();
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("POST to " + url + " failed unexpectedly", e.getCause());
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "spine-signed-post-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Stops the threads of {@link #sendInterruptibly}; POSTs under way are aborted. */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private Delivery send(URI url, String secret, Map<String, String> extra, byte[] body, Duration timeout,
            PinnedPost.Abort abort) {
        // resolved once: the connection goes to one of exactly the addresses checked here
        WebhookTargets.Verdict verdict = targets.check(url);
        if (verdict instanceof WebhookTargets.Refusal r) {
            return Delivery.failed(r + " (target refused)");
        }
        List<InetAddress> addresses = ((WebhookTargets.Checked) verdict).addresses();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.putAll(extra);
        headers.put(WebhookSignature.HEADER, WebhookSignature.sign(secret, clock.instant(), body));
        IOException last = null;
        for (InetAddress address : addresses) {
            PinnedPost.Answer answer;
            try {
                answer = PinnedPost.send(url, address, headers, body, CONNECT_TIMEOUT, timeout, tls, abort);
            } catch (SocketTimeoutException e) {
                return Delivery.failed("no answer within " + timeout.toMillis() + " ms");
            } catch (ConnectException e) {
                last = e; // this address refuses connections: try the next one the name resolved to
                continue;
            } catch (IOException e) {
                return Delivery.failed("cannot reach " + url.getHost() + ": " + e);
            }
            return delivery(answer);
        }
        return Delivery.failed("cannot reach " + url.getHost() + " at " + addresses + ": " + last);
    }

    private Delivery delivery(PinnedPost.Answer answer) {
        int status = answer.status();
        if (status / 100 == 2) {
            return new Delivery(true, status, null, null);
        }
        if (status / 100 == 3) {
            return new Delivery(false, status, "TARGET_REDIRECT: receiver answered HTTP " + status + " to "
                    + answer.location() + redirectTarget(answer.location()) + "; redirects are not followed", null);
        }
        Duration retryAfter = retryAfter(answer.retryAfter(), clock.instant());
        String unread = answer.retryAfter() != null && retryAfter == null
                ? " (Retry-After '" + answer.retryAfter() + "' is neither seconds nor an HTTP date)" : "";
        return new Delivery(false, status, "receiver answered HTTP " + status + unread, retryAfter);
    }

    /** {@code Retry-After} (seconds or an HTTP date) as a delay from {@code now}; null if absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** What the refused redirect pointed at, when that is an internal address (said, never visited). */
    private String redirectTarget(String location) {
        if (location == null) {
            return "";
        }
        try {
            WebhookTargets.Refusal r = targets.refusal(new URI(location));
            return r == null ? "" : " (" + r + ")";
        } catch (URISyntaxException e) {
            return "";
        }
    }
}
