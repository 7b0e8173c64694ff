package dev.spine.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;

/**
 * One webhook delivery attempt: POST of the event's envelope as JSON, with headers {@code Spine-Event-Id}
 * (the receiver's idempotency key), {@code Spine-Event-Type}, {@code Spine-Subscription-Id},
 * {@code Spine-Delivery-Attempt}, {@code Spine-Stream-Sequence} and {@link WebhookSignature#HEADER}. Any
 * 2xx is success; anything else, a timeout or a refused target is a failure with the reason. A refused
 * target's reason starts with its code ({@code TARGET_LOOPBACK: ...}, {@code TARGET_LINK_LOCAL: ...}); a
 * redirect is never followed and fails with {@code TARGET_REDIRECT}, naming where it pointed.
 */
final class WebhookSender {
    /** How one attempt ended: {@code status} 0 when no HTTP answer came. */
    record Outcome(boolean delivered, int status, String error) {
        static Outcome failed(String error) {
            return new Outcome(false, 0, error);
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private final WebhookTargets targets;
    private final Clock clock;
    private final SSLContext tls;

    WebhookSender(WebhookTargets targets, Clock clock) {
        this.targets = targets;
        this.clock = clock;
        try {
            this.tls = SSLContext.getDefault(); // the JDK's trusted CAs, as java.net.http would use
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no TLS: " + e.getMessage(), e);
        }
    }

    Outcome send(Subscription s, UUID eventId, String eventType, long sequence, String envelopeJson, long attempt) {
        URI url = s.url();
        // resolved once: the connection goes to one of exactly the addresses checked here
        WebhookTargets.Verdict verdict = targets.check(url);
        if (verdict instanceof WebhookTargets.Refusal r) {
            return Outcome.failed(r + " (target refused)");
        }
        List<InetAddress> addresses = ((WebhookTargets.Checked) verdict).addresses();
        byte[] body = envelopeJson.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "spine-webhooks");
        headers.put("Spine-Event-Id", eventId.toString());
        headers.put("Spine-Event-Type", eventType);
        headers.put("Spine-Subscription-Id", s.id().toString());
        headers.put("Spine-Delivery-Attempt", String.valueOf(attempt));
        headers.put("Spine-Stream-Sequence", String.valueOf(sequence));
        headers.put(WebhookSignature.HEADER, WebhookSignature.sign(s.secret(), clock.instant(), body));
        IOException last = null;
        for (InetAddress address : addresses) {
            PinnedPost.Answer answer;
            try {
                answer = PinnedPost.send(url, address, headers, body, CONNECT_TIMEOUT, s.timeout(), tls);
            } catch (SocketTimeoutException e) {
                return Outcome.failed("no answer within " + s.timeout().toMillis() + " ms");
            } catch (ConnectException e) {
                last = e; // this address refuses connections: try the next one the name resolved to
                continue;
            } catch (IOException e) {
                return Outcome.failed("cannot reach " + url.getHost() + ": " + e);
            }
            return outcome(answer);
        }
        return Outcome.failed("cannot reach " + url.getHost() + " at " + addresses + ": " + last);
    }

    private Outcome outcome(PinnedPost.Answer answer) {
        int status = answer.status();
        if (status / 100 == 2) {
            return new Outcome(true, status, null);
        }
        if (status / 100 == 3) {
            return new Outcome(false, status, "TARGET_REDIRECT: receiver answered HTTP " + status + " to "
                    + answer.location() + redirectTarget(answer.location()) + "; redirects are not followed");
        }
        return new Outcome(false, status, "receiver answered HTTP " + status);
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
