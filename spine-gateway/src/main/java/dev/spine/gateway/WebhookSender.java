package dev.spine.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * One webhook delivery attempt: POST of the event's envelope as JSON, with headers {@code Spine-Event-Id}
 * (the receiver's idempotency key), {@code Spine-Event-Type}, {@code Spine-Subscription-Id},
 * {@code Spine-Delivery-Attempt}, {@code Spine-Stream-Sequence} and {@link WebhookSignature#HEADER}. Any
 * 2xx is success; anything else, a timeout or a refused target is a failure with the reason.
 */
final class WebhookSender {
    /** How one attempt ended: {@code status} 0 when no HTTP answer came. */
    record Outcome(boolean delivered, int status, String error) {
        static Outcome failed(String error) {
            return new Outcome(false, 0, error);
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final WebhookTargets targets;
    private final Clock clock;

    WebhookSender(WebhookTargets targets, Clock clock) {
        this.targets = targets;
        this.clock = clock;
    }

    Outcome send(Subscription s, UUID eventId, String eventType, long sequence, String envelopeJson, long attempt) {
        URI url = s.url();
        String refusal = targets.refusal(url);
        if (refusal != null) {
            return Outcome.failed("target refused: " + refusal);
        }
        byte[] body = envelopeJson.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(s.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "spine-webhooks")
                .header("Spine-Event-Id", eventId.toString())
                .header("Spine-Event-Type", eventType)
                .header("Spine-Subscription-Id", s.id().toString())
                .header("Spine-Delivery-Attempt", String.valueOf(attempt))
                .header("Spine-Stream-Sequence", String.valueOf(sequence))
                .header(WebhookSignature.HEADER, WebhookSignature.sign(s.secret(), clock.instant(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                return new Outcome(true, r.statusCode(), null);
            }
            return new Outcome(false, r.statusCode(), "receiver answered HTTP " + r.statusCode());
        } catch (HttpTimeoutException e) {
            return Outcome.failed("no answer within " + s.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return Outcome.failed("cannot reach " + url.getHost() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed("interrupted");
        }
    }
}
