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
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/openapi.json} against the running server: it names exactly the routes the server registers (admin
 * API, dashboard, health and the gateway; walked from the running servers, both ways), each one answers over
 * HTTP with a status the document lists for it, every read that needs a key documents it, and every error it
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
            Set<String> served = new HashSet<>(service.http().adminRoutes());
            // WebSocket upgrades are not HTTP routes of the server's list: the gateway names its one
            Gateway.ENDPOINTS.stream().filter(e -> e.endsWith("/ws")).forEach(served::add);
            assertTrue(served.containsAll(Gateway.ENDPOINTS), "one server: the gateway's routes are on it too");
            assertEquals(new TreeSet<>(served), new TreeSet<>(documented),
                    "the document names exactly the routes served");
            assertEquals(200, api.get("/v1/docs", null).status(), "the rendered page, open");
            assertTrue(api.get("/v1/docs/docs.js", null).body().contains("/v1/openapi.json"));

            for (String endpoint : served) {
                String method = endpoint.substring(0, endpoint.indexOf(' '));
                String template = endpoint.substring(endpoint.indexOf(' ') + 1);
                JsonNode operation = doc.path("paths").path(template).path(method.toLowerCase());
                assertFalse(operation.path("summary").asText().isEmpty(), endpoint + " has a summary");
                assertTrue(operation.path("responses").size() > 0, endpoint + " lists its responses");
                if (service.http().guards(method, template) && !template.endsWith("/ws")) {
                    assertTrue(operation.path("security").toString().contains("readToken")
                            && operation.path("responses").has("401"), endpoint + " documents the read key");
                }
                if (!method.equals("GET") && operation.path("security").toString().equals("[{\"adminToken\":[]}]")) {
                    assertTrue(operation.path("responses").has("401"), endpoint + " documents the admin token's 401");
                }
                for (Map.Entry<String, JsonNode> response : operation.path("responses").properties()) {
                    // a failed health check answers 503 with the checks (the probe's body), not an error
                    if ((response.getKey().startsWith("4") || response.getKey().startsWith("5"))
                            && !template.startsWith("/health/")) {
                        assertEquals("#/components/schemas/Error", resolve(doc, response.getValue()).path("content")
                                .path("application/json").path("schema").path("$ref").asText(),
                                endpoint + " " + response.getKey() + " is in the error format");
                    }
                }
                String path = sample(template);
                if (template.endsWith("/ws")) {
                    assertWebSocketAnswers(api, path);
                    continue;
                }
                BusClient.Reply reply = probe(api, method, path);
                assertFalse(reply.status() == 404 && reply.json() != null
                        && reply.json().path("message").asText().startsWith("no route"), endpoint + " is served");
                assertTrue(operation.path("responses").has(String.valueOf(reply.status())),
                        endpoint + " answered " + reply.status() + ", which the document does not list: " + reply.body());
                if (reply.status() >= 400 && !template.startsWith("/health/")) {
                    assertEquals("error", reply.json().path("status").asText(), reply.body());
                    assertFalse(reply.json().path("errorCode").asText().isEmpty(), reply.body());
                    assertTrue(reply.json().has("details"), reply.body());
                }
            }
            doc.findValues("$ref").forEach(ref -> assertFalse(doc.at(ref.asText().substring(1)).isMissingNode(),
                    "a $ref to a component that exists: " + ref.asText()));
        }
    }

    /** A concrete request path for a route: ids that exist nowhere (a 404 is documented), files that exist. */
    private static String sample(String template) {
        boolean rowIds = template.startsWith("/v1/failed-deliveries") || template.startsWith("/v1/outbox/");
        return template.replace("{key}", "some-aggregate").replace("{id}", rowIds ? "1" : UUID.randomUUID().toString())
                .replace("{file}", template.startsWith("/v1/docs") ? "docs.js" : "dashboard.js")
                .replace("/v1/queues/{name}", "/v1/queues/background").replace("{name}", "no-such-schedule");
    }

    /** A response object, or the shared one its {@code $ref} names. */
    private static JsonNode resolve(JsonNode doc, JsonNode node) {
        String ref = node.path("$ref").asText();
        return ref.isEmpty() ? node : doc.at(ref.substring(1));
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
