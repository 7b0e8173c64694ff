package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.server.SpineServer;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** POST /v1/events, publishers and their keys, receipts, and the event store's queries, over real HTTP. */
@ExtendWith(SpineServices.class)
class PublishingTest {

    static String event(String type, UUID id, String data) {
        return "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"data\":" + data + "}";
    }

    @Test
    void aPublisherKeyPublishesItsTypesOnlyAndARetryGetsTheFirstReceipt(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            assertEquals(401, api.post("/v1/publishers", "{\"name\":\"x\",\"allowedEventTypes\":[\"data.*\"]}", null)
                    .status(), "registering needs the admin token");
            String billing = api.registerPublisher("billing", "data.*", "system.InvoiceSent");
            assertTrue(billing.startsWith("spk_"), billing);
            BusClient.Reply taken = api.post("/v1/publishers",
                    "{\"name\":\"billing\",\"allowedEventTypes\":[\"data.*\"]}", BusFixture.ADMIN);
            assertEquals(409, taken.status(), taken.body());
            assertEquals("name", taken.field());

            JsonNode listed = api.get("/v1/publishers").json().path("items").get(0);
            assertEquals("billing", listed.path("name").asText());
            assertEquals(List.of("data.*", "system.InvoiceSent"),
                    List.of(listed.path("allowedEventTypes").get(0).asText(), listed.path("allowedEventTypes").get(1).asText()));
            assertFalse(api.get("/v1/publishers").body().contains(billing), "the key is never shown again");

            UUID id = UUID.randomUUID();
            BusClient.Reply first = api.publish(billing, event("data.OrderPlaced", id, "{\"orderId\":\"o-1\"}"));
            assertEquals(202, first.status(), first.body());
            assertEquals("accepted", first.json().path("status").asText());
            assertEquals(id.toString(), first.json().path("eventId").asText());
            assertTrue(first.json().path("receipt").asLong() > 0, first.body());
            assertTrue(first.json().path("timestamp").asText().matches("\\d{4}-.*\\.\\d{3}Z"), first.body());
            assertFalse(first.json().path("duplicate").asBoolean());

            BusClient.Reply retry = api.publish(billing, event("data.OrderPlaced", id, "{\"orderId\":\"o-1\"}"));
            assertEquals(202, retry.status(), retry.body());
            assertEquals(first.json().path("receipt").asLong(), retry.json().path("receipt").asLong());
            assertEquals(first.json().path("timestamp").asText(), retry.json().path("timestamp").asText());
            assertTrue(retry.json().path("duplicate").asBoolean());

            BusClient.Reply outside = api.publish(billing, event("rule.TicketOpened", UUID.randomUUID(), "{}"));
            assertEquals(403, outside.status(), outside.body());
            assertEquals("EVENT_TYPE_NOT_ALLOWED", outside.errorCode());
            assertEquals("error", outside.json().path("status").asText());
            assertEquals("eventType", outside.field());
            assertEquals("rule.TicketOpened", outside.json().path("details").path("eventType").asText());
            assertTrue(outside.json().path("message").asText().contains("rule.TicketOpened"));
            assertEquals(202, api.publish(billing, event("system.InvoiceSent", UUID.randomUUID(), "{}")).status());
            assertEquals(403, api.publish(billing, event("system.UserDeleted", UUID.randomUUID(), "{}")).status());

            // nothing outside the list reached the stream: only the two accepted events were stored
            Eventually.await("the accepted events in the store", () -> service.gateway().storedThrough() >= 2);
            assertEquals(2, api.get("/v1/events").json().path("items").size());

            BusClient.Reply rotated = api.post("/v1/publishers/" + listed.path("id").asText() + "/rotate-key", "",
                    BusFixture.ADMIN);
            assertEquals(200, rotated.status(), rotated.body());
            String newKey = rotated.json().path("apiKey").asText();
            assertEquals(401, api.publish(billing, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status(),
                    "the old key stops working");
            assertEquals(202, api.publish(newKey, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status());
            billing = newKey;

            BusClient.Reply revoked = api.delete("/v1/publishers/"
                    + listed.path("id").asText(), BusFixture.ADMIN);
            assertEquals(200, revoked.status(), revoked.body());
            assertEquals(401, api.publish(billing, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status(),
                    "a deleted publisher's key stops working");
        }
    }

    @Test
    void badRequestsAreRefusedWithACodeAndTheField(TestDatabase db, TestNats nats) {
        // adapting off: a loose value (an eventId that is no UUID) is refused here; LegacyShapesTest adapts it
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_MAX_EVENT_BYTES", "2048",
                "SPINE_BUS_WEBHOOK_ALLOW", "", "SPINE_BUS_ADAPT_LEGACY", "false"))) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("shop", "data.*");

            BusClient.Reply noKey = api.publish(null, event("data.OrderPlaced", UUID.randomUUID(), "{}"));
            assertEquals(401, noKey.status());
            assertEquals("UNAUTHORIZED", noKey.errorCode());
            assertEquals(401, api.publish("spk_not-a-key", event("data.OrderPlaced", UUID.randomUUID(), "{}")).status());

            assertError(api.publish(key, "not json"), 400, "INVALID_JSON", "body");
            assertError(api.publish(key, "[1,2]"), 400, "INVALID_JSON", "body");
            assertError(api.publish(key, event("data.orderplaced", UUID.randomUUID(), "{}")), 400, null, "eventType");
            assertError(api.publish(key, "{\"eventId\":\"nope\",\"eventType\":\"data.OrderPlaced\",\"data\":{}}"), 400,
                    null, "eventId");
            assertError(api.publish(key, event("data.OrderPlaced", UUID.randomUUID(), "[]")), 400, null, "data");
            // the event's JSON Schema (spine-contracts' schemas/) is checked before anything is published
            String mailer = api.registerPublisher("mailer", "communication.*");
            BusClient.Reply badEmail = api.publish(mailer, event("communication.EmailSendRequested", UUID.randomUUID(),
                    "{\"to\":\"not-an-address\",\"subject\":\"hi\"}"));
            assertError(badEmail, 400, "SCHEMA_VALIDATION_ERROR", "data.to");
            assertEquals(202, api.publish(mailer, event("communication.EmailSendRequested", UUID.randomUUID(),
                    "{\"to\":\"a@example.com\",\"subject\":\"hi\"}")).status());
            assertError(api.publish(key, event("data.OrderPlaced", UUID.randomUUID(),
                    "{\"blob\":\"" + "x".repeat(4000) + "\"}")), 413, "PAYLOAD_TOO_LARGE", "body");
            assertError(api.publish(key, event("data.OrderPlaced", UUID.randomUUID(),
                    "{\"blob\":\"" + "x".repeat(200_000) + "\"}")), 413, "PAYLOAD_TOO_LARGE", "body");

            assertError(api.post("/v1/publishers", "{\"allowedEventTypes\":[\"data.*\"]}", BusFixture.ADMIN), 400,
                    "MISSING_FIELD", "name");
            assertError(api.post("/v1/publishers", "{\"name\":\"a\",\"allowedEventTypes\":[\"data.*\",\"bad\"]}",
                    BusFixture.ADMIN), 400, "INVALID_FIELD", "allowedEventTypes[1]");
            assertError(api.get("/v1/events?from=yesterday"), 400, "INVALID_FIELD", "from");
            assertError(api.get("/v1/events?limit=0"), 400, "INVALID_FIELD", "limit");
            assertError(api.get("/v1/events?correlationId=x"), 400, "INVALID_FIELD", "correlationId");
            assertError(api.get("/v1/events/not-a-uuid"), 400, "INVALID_FIELD", "id");
            assertError(api.get("/v1/events/" + UUID.randomUUID()), 404, "NOT_FOUND", null);
            // webhooks to loopback are refused unless SPINE_BUS_WEBHOOK_ALLOW names the receiver
            BusClient.Reply loopback = api.post("/v1/subscriptions", "{\"name\":\"s\",\"mode\":\"webhook\","
                    + "\"url\":\"http://127.0.0.1:9/hook\"}", BusFixture.ADMIN);
            assertError(loopback, 400, "TARGET_LOOPBACK", "url");
            assertTrue(loopback.json().path("message").asText().contains("SPINE_BUS_WEBHOOK_ALLOW"));
        }
    }

    private static void assertError(BusClient.Reply r, int status, String code, String field) {
        assertEquals(status, r.status(), r.body());
        assertEquals("error", r.json().path("status").asText(), r.body());
        assertFalse(r.json().path("message").asText().isEmpty(), r.body());
        if (code != null) {
            assertEquals(code, r.errorCode(), r.body());
        }
        if (field != null) {
            assertEquals(field, r.field(), r.body());
        }
    }

    @Test
    void storedEventsAreQueriedByIdTypeSourceCorrelationTimeAndPartitionInOrder(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            String orders = api.registerPublisher("orders", "data.*");
            String tickets = api.registerPublisher("tickets", "rule.*");
            UUID correlation = UUID.randomUUID();
            List<UUID> orderEvents = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                UUID id = UUID.randomUUID();
                orderEvents.add(id);
                String type = i == 0 ? "data.OrderPlaced" : "data.OrderUpdated";
                String body = "{\"eventId\":\"" + id + "\",\"eventType\":\"" + type + "\",\"correlationId\":\""
                        + correlation + "\",\"data\":{\"aggregateId\":\"order-7\",\"step\":" + i + "}}";
                assertEquals(202, api.publish(orders, body).status());
                assertEquals(202, api.publish(orders, event("data.OrderUpdated", UUID.randomUUID(),
                        "{\"aggregateId\":\"order-8\",\"step\":" + i + "}")).status());
            }
            UUID ticket = UUID.randomUUID();
            assertEquals(202, api.publish(tickets, event("rule.TicketOpened", ticket, "{\"priority\":\"high\"}")).status());
            Eventually.await("11 events stored", () -> api.get("/v1/events?limit=1000").json().path("items").size() == 11);

            JsonNode one = api.get("/v1/events/" + ticket).json();
            assertEquals("rule.TicketOpened", one.path("event").path("eventType").asText());
            assertEquals("tickets", one.path("event").path("source").asText(), "source defaults to the publisher");
            assertEquals("high", one.path("event").path("data").path("priority").asText());
            assertTrue(one.path("sequence").asLong() > 0);

            assertEquals(1, api.get("/v1/events?type=data.OrderPlaced").json().path("items").size());
            assertEquals(1, api.get("/v1/events?source=tickets").json().path("items").size());
            JsonNode correlated = api.get("/v1/events?correlationId=" + correlation).json().path("items");
            assertEquals(5, correlated.size());
            assertEquals(0, api.get("/v1/events?to=2000-01-01T00:00:00Z").json().path("items").size());
            assertEquals(11, api.get("/v1/events?from=2000-01-01T00:00:00Z").json().path("items").size());

            // paging: three pages of at most 4, in stream order, no event twice
            List<Long> seen = new ArrayList<>();
            String next = null;
            do {
                JsonNode page = api.get("/v1/events?limit=4" + (next == null ? "" : "&cursor=" + next)).json();
                page.path("items").forEach(e -> seen.add(e.path("sequence").asLong()));
                next = page.path("next").isNull() ? null : page.path("next").asText();
            } while (next != null);
            assertEquals(11, seen.size());
            assertEquals(seen.stream().sorted().distinct().toList(), seen);

            JsonNode history = api.get("/v1/partitions/order-7/events").json().path("items");
            assertEquals(5, history.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(orderEvents.get(i).toString(), history.get(i).path("event").path("eventId").asText());
                assertEquals(i, history.get(i).path("event").path("data").path("step").asInt());
            }
            String afterThree = api.get("/v1/partitions/order-7/events?limit=3").json().path("next").asText();
            JsonNode rest = api.get("/v1/partitions/order-7/events?cursor=" + afterThree).json().path("items");
            assertEquals(2, rest.size(), "history resumes where the page before ended");
            assertEquals(history.get(3).path("sequence").asLong(), rest.get(0).path("sequence").asLong());
            assertEquals(400, api.get("/v1/partitions/order-7/events?cursor=12").status(), "a cursor is not a number");
        }
    }

    @Test
    void eventsPastTheirRetentionArePruned(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_RETENTION", "1ms"))) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("p", "data.*");
            assertEquals(202, api.publish(key, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status());
            assertEquals(202, api.publish(key, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status());
            Eventually.await("two events stored", () -> service.gateway().storedThrough() >= 2);
            service.gateway().prune();
            assertEquals(0, api.get("/v1/events").json().path("items").size(), "older than 1 ms: pruned");
        }
    }

    @Test
    void withTheEventStoreOffQueriesSayWhyAndNothingIsCopied(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_EVENT_STORE", "false"))) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("p", "data.*");
            assertEquals(202, api.publish(key, event("data.OrderPlaced", UUID.randomUUID(), "{}")).status());
            BusClient.Reply r = api.get("/v1/events");
            assertEquals(503, r.status(), r.body());
            assertEquals("EVENT_STORE_DISABLED", r.errorCode());
            assertEquals(0, service.gateway().storedThrough());
        }
    }
}
