package dev.spine.gateway;

import dev.spine.server.AdminClient;
import dev.spine.server.SpineServer;
import java.net.URI;
import java.net.http.HttpRequest;

/** Calls the bus API over real HTTP, as a service or an operator's tool would: the admin client plus publishing. */
final class BusClient extends AdminClient {
    BusClient(SpineServer service) {
        super(service);
    }

    /** A client of the gateway at {@code base} ({@code http://host:port}), when it has a port of its own. */
    BusClient(String base) {
        super(base);
    }

    /** Publishes an event with a publisher key in {@code X-Api-Key}. */
    Reply publish(String apiKey, String envelope) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofString(envelope)).header("Content-Type", "application/json");
        return send(apiKey == null ? b : b.header("X-Api-Key", apiKey));
    }

    /** An SSE subscription to {@code types} (admin): the path of its event stream and its secret. */
    SseSubscription sseSubscription(String name, String types) {
        Reply r = post("/v1/subscriptions", "{\"name\":\"" + name + "\",\"mode\":\"sse\",\"eventTypes\":[\"" + types
                + "\"]}", BusFixture.ADMIN);
        if (r.status() != 201) {
            throw new AssertionError("creating " + name + ": " + r.body());
        }
        return new SseSubscription("/v1/subscriptions/" + r.json().path("subscription").path("id").asText() + "/events",
                r.json().path("secret").asText());
    }

    /** Where an SSE subscription streams, and the secret it takes. */
    record SseSubscription(String path, String secret) {}

    /** Registers a publisher and returns its API key. */
    String registerPublisher(String name, String... allowedTypes) {
        StringBuilder types = new StringBuilder();
        for (String t : allowedTypes) {
            types.append(types.length() == 0 ? "" : ",").append('"').append(t).append('"');
        }
        Reply r = post("/v1/publishers", "{\"name\":\"" + name + "\",\"allowedEventTypes\":[" + types + "]}",
                BusFixture.ADMIN);
        if (r.status() != 201) {
            throw new AssertionError("registering " + name + ": " + r.body());
        }
        return r.json().path("apiKey").asText();
    }
}
