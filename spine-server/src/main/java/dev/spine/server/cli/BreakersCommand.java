package dev.spine.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.gateway.http.JsonReplies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine breakers --api URL}: the circuit breaker of each job type in one running server. Breakers live in
 * each process's memory (not in PostgreSQL), so this asks that process's admin API ({@code GET /v1/breakers}),
 * with {@code SPINE_READ_TOKEN} (or {@code SPINE_ADMIN_TOKEN}) from the environment as its key.
 */
@Command(name = "breakers", mixinStandardHelpOptions = true,
        description = "Shows each job type's circuit breaker in one running server (asks its admin API).")
final class BreakersCommand extends SpineCommand {
    static final String API_VARIABLE = "SPINE_ADMIN_URL";
    static final String DEFAULT_API = "http://127.0.0.1:8080";

    @Option(names = "--api", paramLabel = "URL",
            description = "the server's admin API (default: $SPINE_ADMIN_URL, else http://127.0.0.1:8080)")
    String api;

    @Option(names = "--json", description = "print JSON, as GET /v1/breakers answers")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        Map<String, String> env = System.getenv();
        String base = api != null ? api : env.getOrDefault(API_VARIABLE, DEFAULT_API);
        URI uri;
        try {
            uri = URI.create(base.replaceAll("/+$", "") + "/v1/breakers");
        } catch (IllegalArgumentException e) {
            throw CommandFailure.invalid("INVALID_FIELD", "api", "not a URL: " + base);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        String token = env.getOrDefault("SPINE_READ_TOKEN", env.get("SPINE_ADMIN_TOKEN"));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> reply;
        try {
            reply = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new CommandFailure(FAILED, "UNREACHABLE", "api", "no admin API answers at " + base + ": " + e);
        }
        if (reply.statusCode() != 200) {
            throw new CommandFailure(FAILED, "HTTP_" + reply.statusCode(), "api", base + " answered " + reply.statusCode()
                    + (reply.statusCode() == 401 ? " (set SPINE_READ_TOKEN)" : "") + ": " + reply.body());
        }
        JsonNode breakers = JsonReplies.MAPPER.readTree(reply.body()).path("breakers");
        if (json) {
            out().println(JsonReplies.MAPPER.writeValueAsString(Map.of("breakers", breakers)));
            return OK;
        }
        if (breakers.isEmpty()) {
            out().println("no breakers: this server runs no job handlers");
            return OK;
        }
        out().printf("%-40s %s%n", "JOB TYPE", "BREAKER");
        breakers.fields().forEachRemaining(e -> out().printf("%-40s %s%n", e.getKey(), e.getValue().asText()));
        return OK;
    }
}
