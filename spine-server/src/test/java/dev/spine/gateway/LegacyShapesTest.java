package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.server.SpineServer;
import dev.spine.server.cli.SpineCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The platform's older publishers over HTTP: each legacy shape becomes its canonical event, a retry of the
 * same legacy body is a duplicate (its eventId is derived), the event store keeps the original body beside the
 * adapted fields, and with adapting off the same body is refused naming the field.
 */
@ExtendWith(SpineServices.class)
class LegacyShapesTest {
    static final String PG_BUS = "{\"type\":\"sync.started\",\"tenantId\":\"t-1\",\"payload\":{\"connectorId\":\"c-9\"},"
            + "\"metadata\":{\"actorType\":\"system\"}}";
    static final String HTTP_CLIENT = "{\"id\":\"legacy-7\",\"eventType\":\"data.EntityCreated\",\"data\":{\"e\":1},"
            + "\"timestamp\":\"2026-12-04T10:00:00Z\",\"metadata\":{\"correlationId\":\"chain-7\"}}";
    static final String OUTBOX = "{\"eventType\":\"data:entity.updated\",\"eventId\":\"row-42\",\"data\":{\"e\":2}}";

    @Test
    void eachLegacyShapeIsPublishedAsItsCanonicalEventOnceAndStoredWithItsOriginal(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("legacy", "connector.*", "data.*");
            Map<String, String> shapes = Map.of(PG_BUS, "connector.SyncStarted", HTTP_CLIENT, "data.EntityCreated",
                    OUTBOX, "data.EntityUpdated");

            for (Map.Entry<String, String> s : shapes.entrySet()) {
                BusClient.Reply first = api.publish(key, s.getKey());
                assertEquals(202, first.status(), first.body());
                assertFalse(first.json().path("duplicate").asBoolean(), first.body());
                BusClient.Reply retry = api.publish(key, s.getKey());
                assertEquals(202, retry.status(), retry.body());
                assertTrue(retry.json().path("duplicate").asBoolean(), "a retry of " + s.getValue() + ": " + retry.body());
                assertEquals(first.json().path("eventId").asText(), retry.json().path("eventId").asText());

                String id = first.json().path("eventId").asText();
                Eventually.await(s.getValue() + " in the store", () -> api.get("/v1/events/" + id).status() == 200);
                JsonNode stored = api.get("/v1/events/" + id).json();
                JsonNode event = stored.has("event") ? stored.path("event") : stored;
                assertEquals(s.getValue(), event.path("eventType").asText(), stored.toString());
                assertTrue(event.path("adaptedFrom").path("original").isObject(), "the original body: " + stored);
                if (s.getValue().startsWith("data.")) { // the default routes send data.EntityCreated/Updated to a job
                    String correlation = event.path("correlationId").asText();
                    Eventually.await(s.getValue() + " routed to its job",
                            () -> service.engine().jobs().findByCorrelationId(correlation, 10).size() == 1);
                }
            }
            Eventually.await("three events stored, no duplicate", () -> service.gateway().storedThrough() >= 3);
            assertEquals(3, api.get("/v1/events").json().path("items").size());
            assertEquals(2, service.engine().metrics().counter("spine.events.adapted.pg-bus").getCount(),
                    "adapted events are counted by shape (the retry too)");
            String metrics = api.get("/metrics").body();
            assertTrue(metrics.contains("spine_events_adapted_total{shape=\"pg-bus\"} 2.0"), metrics);

            // spine events shapes: who still sends what, from the event store
            StringWriter out = new StringWriter();
            int exit = new CommandLine(new SpineCli()).setOut(new PrintWriter(out, true)).execute("events", "shapes",
                    "--json", "--pg-url", db.url(), "--pg-schema", db.schema());
            assertEquals(0, exit, out.toString());
            JsonNode rows = Json.parse(out.toString());
            assertEquals(3, rows.size(), out.toString());
            Map<String, String> sourceByShape = new java.util.HashMap<>();
            rows.forEach(r -> sourceByShape.put(r.path("shape").asText(), r.path("source").asText()));
            assertEquals(Map.of("pg-bus", "legacy", "http-client", "legacy", "outbox", "legacy"), sourceByShape,
                    "an event naming no source gets its publisher's name");
            rows.forEach(r -> assertEquals(1, r.path("events").asLong(), "the retries were not stored twice: " + r));
        }
    }

    @Test
    void withAdaptingOffALegacyBodyIsRefusedNamingTheField(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_ADAPT_LEGACY", "false"))) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("legacy", "connector.*", "data.*");

            BusClient.Reply refused = api.publish(key, PG_BUS);

            assertEquals(400, refused.status(), refused.body());
            assertEquals("eventType", refused.field());
            BusClient.Reply outbox = api.publish(key, OUTBOX);
            assertEquals(400, outbox.status(), outbox.body());
            assertEquals("eventType", outbox.field(), "module:resource.action is no domain.NounVerb");
        }
    }

    /** JSON from the CLI's output. */
    private static final class Json {
        static JsonNode parse(String s) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + s, e);
            }
        }
    }
}
