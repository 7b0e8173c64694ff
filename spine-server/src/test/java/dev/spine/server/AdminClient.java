package dev.spine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a job service's admin API over real HTTP, as an operator's tool would (the bus tests' client extends it). */
public class AdminClient {
    static final String TOKEN = "test-token";
    public static final ObjectMapper JSON = new ObjectMapper();
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public final String base;

    public AdminClient(SpineServer service) {
        this("http://" + service.adminAddress());
    }

    /** A client of the server at {@code base} ({@code http://host:port}). */
    public AdminClient(String base) {
        this.base = base;
    }

    /** A reply: status, raw body and the body as JSON (null when it is not JSON). */
    public record Reply(int status, String body, JsonNode json) {
        public String errorCode() {
            return json.path("errorCode").asText();
        }

        public String field() {
            return json.path("details").path("field").asText();
        }
    }

    /** GET with the admin token as the read key (the fixture's servers accept it for reads). */
    public Reply get(String path) {
        return get(path, TOKEN);
    }

    /** GET with {@code Authorization: Bearer token}, or with no key when {@code token} is null. */
    public Reply get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    /** POST with {@code Authorization: Bearer token} when a token is given. */
    public Reply post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    public Reply delete(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    public Reply send(HttpRequest.Builder request) {
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
}
