package dev.spine.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One webhook delivery attempt: POST of the event's envelope as JSON, with headers {@code Spine-Event-Id}
 * (the receiver's idempotency key), {@code Spine-Event-Type}, {@code Spine-Subscription-Id},
 * {@code Spine-Delivery-Attempt}, {@code Spine-Stream-Sequence} and {@link WebhookSignature#HEADER}. Any
 * 2xx is success; anything else, a timeout or a refused target is a failure with the reason. A refused
 * target's reason starts with its code ({@code TARGET_LOOPBACK: ...}, {@code TARGET_LINK_LOCAL: ...}); a
 * redirect is never followed and fails with {@code TARGET_REDIRECT}, naming where it pointed. The target
 * rules, signing and connection are {@link SignedPost}'s, shared with HTTP push job handlers.
 */
final class WebhookSender {
    /** How one attempt ended: {@code status} 0 when no HTTP answer came. */
    record Outcome(boolean delivered, int status, String error) {
        static Outcome failed(String error) {
            return new Outcome(false, 0, error);
        }
    }

    private final SignedPost post;

    WebhookSender(WebhookTargets targets, Clock clock) {
        this.post = new SignedPost(targets, clock);
    }

    Outcome send(Subscription s, UUID eventId, String eventType, long sequence, String envelopeJson, long attempt) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", "spine-webhooks");
        headers.put("Spine-Event-Id", eventId.toString());
        headers.put("Spine-Event-Type", eventType);
        headers.put("Spine-Subscription-Id", s.id().toString());
        headers.put("Spine-Delivery-Attempt", String.valueOf(attempt));
        headers.put("Spine-Stream-Sequence", String.valueOf(sequence));
        SignedPost.Delivery d = post.send(s.url(), s.secret(), headers, envelopeJson.getBytes(StandardCharsets.UTF_8),
                s.timeout());
        return new Outcome(d.delivered(), d.status(), d.error());
    }
}
