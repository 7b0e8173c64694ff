package dev.spine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.gateway.http.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Reads the body of {@code POST /v1/subscriptions} into a {@link Subscription}; every mistake is a 400 that
 * names the field ({@code filters[1].op}, {@code url}, ...).
 */
final class SubscriptionRequests {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_NAME = 200;
    static final int MAX_FILTERS = 20;

    private SubscriptionRequests() {}

    static Subscription parse(JsonNode body, GatewayConfig config, WebhookTargets targets, Clock clock) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body must be a JSON object");
        }
        String name = text(body, "name", true);
        if (name.length() > MAX_NAME) {
            throw ApiException.invalid("INVALID_FIELD", "name", "name must be at most " + MAX_NAME + " characters");
        }
        List<String> types = new ArrayList<>();
        JsonNode t = body.get("eventTypes");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                throw ApiException.invalid("INVALID_FIELD", "eventTypes", "eventTypes must be an array of "
                        + "domain.NounVerb or domain.* patterns");
            }
            for (int i = 0; i < t.size(); i++) {
                if (!t.get(i).isTextual() || !EventTypes.isPattern(t.get(i).asText())) {
                    throw ApiException.invalid("INVALID_FIELD", "eventTypes[" + i + "]", "eventTypes[" + i + "] must be "
                            + "domain.NounVerb or domain.*, was " + t.get(i));
                }
                types.add(t.get(i).asText());
            }
        }
        List<DataFilter> filters = new ArrayList<>();
        JsonNode f = body.get("filters");
        if (f != null && !f.isNull()) {
            if (!f.isArray() || f.size() > MAX_FILTERS) {
                throw ApiException.invalid("INVALID_FIELD", "filters", "filters must be an array of at most "
                        + MAX_FILTERS + " conditions");
            }
            for (int i = 0; i < f.size(); i++) {
                filters.add(filter(f.get(i), "filters[" + i + "]"));
            }
        }
        String modeText = text(body, "mode", true);
        Subscription.Mode mode = Subscription.Mode.of(modeText);
        if (mode == null) {
            throw ApiException.invalid("INVALID_FIELD", "mode", "mode must be webhook, sse or websocket, was '"
                    + modeText + "'");
        }
        String guaranteeText = text(body, "guarantee", false);
        Subscription.Guarantee guarantee = guaranteeText == null ? Subscription.Guarantee.AT_LEAST_ONCE
                : Subscription.Guarantee.of(guaranteeText);
        if (guarantee == null) {
            throw ApiException.invalid("INVALID_FIELD", "guarantee", "guarantee must be at-least-once or "
                    + "at-most-once, was '" + guaranteeText + "'");
        }
        URI url = null;
        int attempts = config.webhookAttempts();
        Duration timeout = config.webhookTimeout();
        if (mode == Subscription.Mode.WEBHOOK) {
            url = url(text(body, "url", true), targets);
            attempts = (int) number(body, "maxAttempts", attempts, 1, Subscription.MAX_ATTEMPTS);
            timeout = Duration.ofMillis(number(body, "timeoutMs", timeout.toMillis(), 1,
                    Subscription.MAX_TIMEOUT.toMillis()));
        } else {
            for (String webhookOnly : new String[] {"url", "maxAttempts", "timeoutMs"}) {
                if (body.has(webhookOnly)) {
                    throw ApiException.invalid("INVALID_FIELD", webhookOnly, webhookOnly + " applies to webhook "
                            + "subscriptions only");
                }
            }
            if (guarantee == Subscription.Guarantee.AT_MOST_ONCE) {
                throw ApiException.invalid("INVALID_FIELD", "guarantee", "live subscriptions (sse, websocket) push "
                        + "what a connected client can take and resume from Last-Event-ID: at-most-once is for webhooks");
            }
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new Subscription(UUID.randomUUID(), name, types, filters, mode, url,
                "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret), guarantee, attempts, timeout,
                clock.instant(), 0);
    }

    /** One filter: {@code {"field":"priority","op":"in","values":["high","critical"]}}. */
    static DataFilter filter(JsonNode f, String where) {
        if (f == null || !f.isObject()) {
            throw ApiException.invalid("INVALID_FIELD", where, where + " must be an object {field, op, value|values}");
        }
        JsonNode field = f.get("field");
        if (field == null || !field.isTextual() || !field.asText().matches("[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*")) {
            throw ApiException.invalid("INVALID_FIELD", where + ".field", where + ".field must be a dotted path "
                    + "into data such as customer.tier");
        }
        JsonNode opNode = f.get("op");
        DataFilter.Op op = opNode == null || !opNode.isTextual() ? null : DataFilter.Op.of(opNode.asText());
        if (op == null) {
            throw ApiException.invalid("INVALID_FIELD", where + ".op", where + ".op must be one of eq, ne, in, notIn, "
                    + "exists, gt, gte, lt, lte");
        }
        List<JsonNode> values = new ArrayList<>();
        switch (op) {
            case EXISTS -> { }
            case IN, NOT_IN -> {
                JsonNode vs = f.get("values");
                if (vs == null || !vs.isArray() || vs.isEmpty()) {
                    throw ApiException.invalid("INVALID_FIELD", where + ".values", where + ".values must be a "
                            + "non-empty array for " + op.wire());
                }
                vs.forEach(values::add);
            }
            default -> {
                JsonNode v = f.get("value");
                if (v == null || v.isContainerNode()) {
                    throw ApiException.invalid("INVALID_FIELD", where + ".value", where + ".value must be a string, "
                            + "number, boolean or null for " + op.wire());
                }
                values.add(v);
            }
        }
        return new DataFilter(field.asText(), op, values);
    }

    private static URI url(String text, WebhookTargets targets) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("INVALID_FIELD", "url", "url is not a URL: " + e.getMessage());
        }
        WebhookTargets.Refusal refusal = targets.refusal(url);
        if (refusal != null) {
            throw ApiException.invalid(refusal.code(), "url", refusal.message());
        }
        return url;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.invalid("MISSING_FIELD", field, field + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a non-empty string");
        }
        return v.asText().trim();
    }

    private static long number(JsonNode body, String field, long fallback, long min, long max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a whole number " + min + ".." + max
                    + ", was " + v);
        }
        return v.asLong();
    }
}
