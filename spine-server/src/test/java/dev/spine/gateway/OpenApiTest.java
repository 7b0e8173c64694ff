package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.server.SpineServer;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/openapi.json} against the running service: it names exactly the bus's endpoints, each one
 * answers over HTTP (a route exists), with a status the document lists for it, and every error it
 * documents has the error format.
 */
@ExtendWith(SpineServices.class)
class OpenApiTest {

    @Test
    void theDocumentMatchesTheEndpointsTheServiceAnswers(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            BusClient.Reply r = api.get("/v1/openapi.json");
            assertEquals(200, r.status());
            JsonNode doc = r.json();
            assertTrue(doc.path("openapi").asText().startsWith("3."), "an OpenAPI 3 document");

            Set<String> documented = new HashSet<>();
            for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
                path.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
            }
            assertEquals(new HashSet<>(Gateway.ENDPOINTS), documented, "the document names exactly the endpoints");

            for (String endpoint : Gateway.ENDPOINTS) {
                String method = endpoint.substring(0, endpoint.indexOf(' '));
                String template = endpoint.substring(endpoint.indexOf(' ') + 1);
                JsonNode operation = doc.path("paths").path(template).path(method.toLowerCase());
                assertFalse(operation.path("summary").asText().isEmpty(), endpoint + " has a summary");
                assertTrue(operation.path("responses").size() > 0, endpoint + " lists its responses");
                if (method.equals("GET") && !Gateway.OPEN_READS.contains(template) && !template.endsWith("/ws")) {
                    assertTrue(operation.path("security").toString().contains("readToken")
                            && operation.path("responses").has("401"), endpoint + " documents the read key");
                }
                for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
                    if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                        assertEquals("#/components/schemas/Error", response.getValue().path("content")
                                .path("application/json").path("schema").path("$ref").asText(),
                                endpoint + " " + response.getKey() + " is in the error format");
                    }
                }
                String path = template.replace("{key}", "some-aggregate").replace("{id}",
                        template.startsWith("/v1/dead-letters") ? "1" : UUID.randomUUID().toString());
                if (template.endsWith("/ws")) {
                    assertWebSocketAnswers(api, path);
                    continue;
                }
                BusClient.Reply reply = probe(api, method, path);
                assertFalse(reply.status() == 404 && reply.json() != null
                        && reply.json().path("message").asText().startsWith("no route"), endpoint + " is served");
                assertTrue(operation.path("responses").has(String.valueOf(reply.status())),
                        endpoint + " answered " + reply.status() + ", which the document does not list: " + reply.body());
                if (reply.status() >= 400) {
                    assertEquals("error", reply.json().path("status").asText(), reply.body());
                    assertFalse(reply.json().path("errorCode").asText().isEmpty(), reply.body());
                    assertTrue(reply.json().has("details"), reply.body());
                }
            }
            JsonNode schemas = doc.path("components").path("schemas");
            doc.findValues("$ref").forEach(ref -> assertTrue(schemas.has(ref.asText().replace("#/components/schemas/", "")),
                    "a $ref to a schema that exists: " + ref.asText()));
        }
    }

    /** A request as a careless client would send it: admin token, an empty object as body. */
    private static BusClient.Reply probe(BusClient api, String method, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base + path))
                .header("Authorization", "Bearer " + BusFixture.ADMIN).header("Accept", "text/event-stream");
        return api.send(switch (method) {
            case "GET" -> b.GET().header("Accept", "application/json");
            case "DELETE" -> b.DELETE();
            default -> b.POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        });
    }

    /** The upgrade is accepted (the route exists); an unknown subscription is then closed with 4404. */
    private static void assertWebSocketAnswers(BusClient api, String path) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = api.http.newWebSocketBuilder().buildAsync(URI.create("ws" + api.base.substring(4) + path
                + "?access_token=x"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.request(1);
        assertEquals(4404, closed.get(30, TimeUnit.SECONDS));
    }
}
