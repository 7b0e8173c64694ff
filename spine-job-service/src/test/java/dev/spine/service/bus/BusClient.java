package dev.spine.service.bus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.service.JobService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls the bus API over real HTTP, as a service or an operator's tool would. */
final class BusClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    BusClient(JobService service) {
        this.base = "http://" + service.adminAddress();
    }

    record Reply(int status, String body, JsonNode json) {
        String errorCode() {
            return json.path("errorCode").asText();
        }

        String field() {
            return json.path("details").path("field").asText();
        }
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** POST with {@code Authorization: Bearer token} when a token is given. */
    Reply post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    /** Publishes an event with a publisher key in {@code X-Api-Key}. */
    Reply publish(String apiKey, String envelope) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofString(envelope)).header("Content-Type", "application/json");
        return send(apiKey == null ? b : b.header("X-Api-Key", apiKey));
    }

    Reply delete(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                json = JSON.readTree(r.body());
            }
            return new Reply(r.statusCode(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

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
