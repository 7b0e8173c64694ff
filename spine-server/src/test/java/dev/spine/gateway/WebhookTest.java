package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.server.SpineServer;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Webhook subscriptions over real HTTP: filters, signatures, retries with backoff, failed deliveries, redelivery. */
@ExtendWith(SpineServices.class)
class WebhookTest {

    private static JsonNode subscribe(BusClient api, String body) {
        BusClient.Reply r = api.post("/v1/subscriptions", body, BusFixture.ADMIN);
        assertEquals(201, r.status(), r.body());
        return r.json();
    }

    /** The dead letters of a subscription, once there is exactly one. */
    private static JsonNode oneDeadLetter(BusClient api, String subscriptionId) {
        return Eventually.awaitValue("a dead letter", Duration.ofSeconds(30),
                () -> api.get("/v1/failed-deliveries?subscriptionId=" + subscriptionId).json().path("items"),
                items -> items.size() == 1);
    }

    private static String ticket(UUID id, String priority) {
        return PublishingTest.event("rule.TicketOpened", id, "{\"priority\":\"" + priority + "\"}");
    }

    @Test
    void aReceiverSeesEachMatchingEventOnceWithAValidSignature(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*", "data.*");
            JsonNode created = subscribe(api, "{\"name\":\"urgent tickets\",\"eventTypes\":[\"rule.TicketOpened\"],"
                    + "\"filters\":[{\"field\":\"priority\",\"op\":\"in\",\"values\":[\"high\",\"critical\"]}],"
                    + "\"mode\":\"webhook\",\"url\":\"" + receiver.url() + "\"}");
            String secret = created.path("secret").asText();
            String subscriptionId = created.path("subscription").path("id").asText();
            assertEquals("at-least-once", created.path("subscription").path("guarantee").asText());

            List<String> matching = new ArrayList<>();
            String[] priorities = {"low", "high", "critical", "normal", "high", "low", "critical", "high"};
            for (String p : priorities) {
                UUID id = UUID.randomUUID();
                if (p.equals("high") || p.equals("critical")) {
                    matching.add(id.toString());
                }
                assertEquals(202, api.publish(key, ticket(id, p)).status());
                // another type with a matching field: filtered out by type
                assertEquals(202, api.publish(key, PublishingTest.event("data.OrderPlaced", UUID.randomUUID(),
                        "{\"priority\":\"high\"}")).status());
            }
            // a last matching event: deliveries are in stream order, so once it arrives every earlier one has
            UUID last = UUID.randomUUID();
            matching.add(last.toString());
            assertEquals(202, api.publish(key, ticket(last, "critical")).status());
            Eventually.await("the last matching event delivered", () -> !receiver.of(last.toString()).isEmpty());

            List<String> received = receiver.deliveries.stream().map(d -> d.header("Spine-Event-Id")).toList();
            assertEquals(matching, received, "each matching event once, in order, and nothing else");
            for (WebhookReceiver.Delivery d : receiver.deliveries) {
                assertTrue(WebhookSignature.verify(secret, d.header(WebhookSignature.HEADER), d.body(), Instant.now(),
                        WebhookSignature.DEFAULT_TOLERANCE), "signature of " + d.header("Spine-Event-Id"));
                assertEquals("rule.TicketOpened", d.header("Spine-Event-Type"));
                assertEquals(subscriptionId, d.header("Spine-Subscription-Id"));
                assertEquals("1", d.header("Spine-Delivery-Attempt"));
                JsonNode body = BusClient.JSON.readTree(d.body());
                assertEquals(d.header("Spine-Event-Id"), body.path("eventId").asText());
                assertTrue(body.path("data").path("priority").asText().matches("high|critical"));
            }
            WebhookReceiver.Delivery any = receiver.deliveries.get(0);
            assertTrue(!WebhookSignature.verify("whsec_wrong", any.header(WebhookSignature.HEADER), any.body(),
                    Instant.now(), WebhookSignature.DEFAULT_TOLERANCE), "another secret does not verify");
            byte[] tampered = any.bodyText().replace("high", "low ").replace("critical", "low     ").getBytes();
            assertTrue(!WebhookSignature.verify(secret, any.header(WebhookSignature.HEADER), tampered, Instant.now(),
                    WebhookSignature.DEFAULT_TOLERANCE), "a changed body does not verify");

            // redelivery of one event to this subscription: delivered again, on request (it reads the event store,
            // which its own consumer fills: wait until the event is there)
            Eventually.await("the event in the store", () -> api.get("/v1/events/" + matching.get(0)).status() == 200);
            BusClient.Reply replay = api.post("/v1/events/" + matching.get(0) + "/redeliver",
                    "{\"subscriptionId\":\"" + subscriptionId + "\"}", BusFixture.ADMIN);
            assertEquals(200, replay.status(), replay.body());
            assertTrue(replay.json().path("deliveries").get(0).path("delivered").asBoolean(), replay.body());
            assertEquals(2, receiver.of(matching.get(0)).size());
            // redelivery to all: only subscriptions the event matches
            Eventually.await("the event in the store", () -> api.get("/v1/events/" + matching.get(1)).status() == 200);
            JsonNode all = api.post("/v1/events/" + matching.get(1) + "/redeliver", "{}", BusFixture.ADMIN).json();
            assertEquals(1, all.path("deliveries").size(), all.toString());

            assertEquals(subscriptionId, api.get("/v1/subscriptions/" + subscriptionId).json().path("subscription")
                    .path("id").asText());
            assertEquals(1, api.get("/v1/subscriptions").json().path("items").size());
            assertEquals(200, api.delete("/v1/subscriptions/" + subscriptionId, BusFixture.ADMIN).status());
            assertEquals(404, api.get("/v1/subscriptions/" + subscriptionId).status());
            int before = receiver.deliveries.size();
            // nothing is delivered after the delete: a second subscription proves events still flow
            JsonNode other = subscribe(api, "{\"name\":\"after\",\"eventTypes\":[\"rule.*\"],\"mode\":\"webhook\","
                    + "\"url\":\"" + receiver.url() + "\"}");
            UUID after = UUID.randomUUID();
            assertEquals(202, api.publish(key, ticket(after, "high")).status());
            Eventually.await("the other subscription's delivery", () -> !receiver.of(after.toString()).isEmpty());
            assertEquals(before + 1, receiver.deliveries.size());
            assertEquals(other.path("subscription").path("id").asText(),
                    receiver.of(after.toString()).get(0).header("Spine-Subscription-Id"));
        }
    }

    @Test
    void aFailingReceiverGetsRetriesWithBackoffThenADeadLetterThatCanBeRetried(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*");
            receiver.status = 500;
            JsonNode created = subscribe(api, "{\"name\":\"flaky\",\"eventTypes\":[\"rule.*\"],\"mode\":\"webhook\","
                    + "\"url\":\"" + receiver.url() + "\",\"maxAttempts\":4,\"timeoutMs\":2000}");
            String subscriptionId = created.path("subscription").path("id").asText();
            UUID id = UUID.randomUUID();
            assertEquals(202, api.publish(key, ticket(id, "high")).status());

            JsonNode dead = oneDeadLetter(api, subscriptionId);
            List<WebhookReceiver.Delivery> attempts = receiver.of(id.toString());
            assertEquals(4, attempts.size(), "maxAttempts deliveries, no more");
            long[] backoffMillis = {50, 100, 200}; // SPINE_BUS_WEBHOOK_BACKOFF=50ms, doubling, capped at 200ms
            for (int i = 0; i < 4; i++) {
                assertEquals(String.valueOf(i + 1), attempts.get(i).header("Spine-Delivery-Attempt"));
                if (i > 0) {
                    long gap = (attempts.get(i).receivedNanos() - attempts.get(i - 1).receivedNanos()) / 1_000_000;
                    assertTrue(gap >= backoffMillis[i - 1], "retry " + i + " came after " + gap + " ms, before its "
                            + backoffMillis[i - 1] + " ms backoff");
                }
            }
            JsonNode letter = dead.get(0);
            assertEquals(id.toString(), letter.path("eventId").asText());
            assertEquals(4, letter.path("attempts").asInt());
            assertEquals(500, letter.path("lastStatus").asInt());
            assertTrue(letter.path("lastError").asText().contains("500"), letter.toString());
            assertEquals(id.toString(), letter.path("event").path("eventId").asText());

            long deadId = letter.path("id").asLong();
            BusClient.Reply stillFailing = api.post("/v1/failed-deliveries/" + deadId + "/redeliver", "", BusFixture.ADMIN);
            assertEquals(502, stillFailing.status(), stillFailing.body());
            assertEquals("DELIVERY_FAILED", stillFailing.errorCode());
            assertEquals(5, api.get("/v1/failed-deliveries").json().path("items").get(0).path("attempts").asInt());

            receiver.status = 200;
            BusClient.Reply retried = api.post("/v1/failed-deliveries/" + deadId + "/redeliver", "", BusFixture.ADMIN);
            assertEquals(200, retried.status(), retried.body());
            assertTrue(retried.json().path("delivered").asBoolean());
            assertEquals(0, api.get("/v1/failed-deliveries").json().path("items").size(), "a delivered dead letter is gone");
            assertEquals(6, receiver.of(id.toString()).size());
            assertEquals("6", receiver.of(id.toString()).get(5).header("Spine-Delivery-Attempt"));
            assertEquals(404, api.post("/v1/failed-deliveries/" + deadId + "/redeliver", "", BusFixture.ADMIN).status());
            assertEquals(401, api.post("/v1/failed-deliveries/" + deadId + "/redeliver", "", null).status());
            String metrics = api.get("/metrics").body();
            assertTrue(metrics.contains("spine_bus_webhook_dead_lettered_total 1.0")
                    || metrics.contains("spine_bus_webhook_dead_lettered_total 1\n"), metrics);
            assertTrue(metrics.contains("spine_bus_webhook_failed_attempts_total 4"), "attempts by the consumer");
        }
    }

    @Test
    void atMostOnceMakesOneAttemptAndATimeoutCountsAsAFailure(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*");
            // far longer than the subscription's timeout, which itself leaves a loaded machine time to hand the
            // request to the receiver (it records a request once it has read it)
            receiver.answerAfterMillis = 5_000;
            JsonNode created = subscribe(api, "{\"name\":\"once\",\"mode\":\"webhook\",\"guarantee\":\"at-most-once\","
                    + "\"timeoutMs\":1000,\"url\":\"" + receiver.url() + "\"}");
            String subscriptionId = created.path("subscription").path("id").asText();
            UUID id = UUID.randomUUID();
            assertEquals(202, api.publish(key, ticket(id, "low")).status());
            JsonNode dead = oneDeadLetter(api, subscriptionId);
            assertEquals(1, dead.get(0).path("attempts").asInt());
            assertTrue(dead.get(0).path("lastStatus").isNull(), "no HTTP answer came");
            assertEquals("no answer within 1000 ms", dead.get(0).path("lastError").asText());
            assertEquals(1, receiver.of(id.toString()).size(), "at-most-once: never a second attempt");

            String discard = "/v1/failed-deliveries/" + dead.get(0).path("id").asLong();
            assertEquals(401, api.delete(discard, null).status());
            assertEquals(200, api.delete(discard, BusFixture.ADMIN).status());
            assertEquals(0, api.get("/v1/failed-deliveries").json().path("items").size(), "given up: gone");
            assertEquals(404, api.delete(discard, BusFixture.ADMIN).status());
            assertEquals(1, receiver.of(id.toString()).size(), "discarding delivers nothing");
        }
    }

    @Test
    void targetsInsideTheNetworkAreRefusedByDefaultNamingTheReason(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_WEBHOOK_ALLOW", ""));
             WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient api = new BusClient(service);
            String port = receiver.url().replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/.*$", "$1");
            Map<String, String> refused = Map.of(
                    "http://localhost:" + port + "/hook", "TARGET_LOOPBACK", // a name resolving to 127.0.0.1
                    receiver.url(), "TARGET_LOOPBACK",
                    "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "TARGET_LINK_LOCAL",
                    "http://10.0.0.7/hook", "TARGET_PRIVATE",
                    "http://0.0.0.0:" + port + "/hook", "TARGET_UNSPECIFIED");
            refused.forEach((url, code) -> {
                BusClient.Reply r = api.post("/v1/subscriptions", "{\"name\":\"s\",\"mode\":\"webhook\",\"url\":\""
                        + url + "\"}", BusFixture.ADMIN);
                assertEquals(400, r.status(), url + " -> " + r.body());
                assertEquals(code, r.errorCode(), url + " -> " + r.body());
                assertEquals("url", r.field(), r.body());
            });
            assertEquals(0, api.get("/v1/subscriptions").json().path("items").size(), "none was made");
            assertEquals(0, receiver.deliveries.size(), "nothing was sent");
        }
    }

    @Test
    void aRedirectIsNotFollowedAndItsPrivateTargetIsNamed(TestDatabase db, TestNats nats) throws Exception {
        // the receiver itself is allowed (SPINE_BUS_WEBHOOK_ALLOW=127.0.0.1), where it sends us is not
        try (SpineServer service = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*");
            receiver.status = 302;
            receiver.location = "http://192.168.0.10/admin";
            String subscriptionId = subscribe(api, "{\"name\":\"moved\",\"mode\":\"webhook\",\"maxAttempts\":1,"
                    + "\"url\":\"" + receiver.url() + "\"}").path("subscription").path("id").asText();
            UUID id = UUID.randomUUID();
            assertEquals(202, api.publish(key, ticket(id, "high")).status());
            JsonNode dead = oneDeadLetter(api, subscriptionId);
            String error = dead.get(0).path("lastError").asText();
            assertTrue(error.startsWith("TARGET_REDIRECT: "), error);
            assertTrue(error.contains("http://192.168.0.10/admin") && error.contains("TARGET_PRIVATE"), error);
            assertEquals(302, dead.get(0).path("lastStatus").asInt());
            assertEquals(1, receiver.of(id.toString()).size(), "one request, to the receiver only");
        }
    }

    @Test
    void subscriptionsRefuseBadFieldsByName(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            Map<String, String> cases = Map.of(
                    "{\"mode\":\"webhook\",\"url\":\"http://127.0.0.1:1/h\"}", "name",
                    "{\"name\":\"s\",\"mode\":\"pigeon\"}", "mode",
                    "{\"name\":\"s\",\"mode\":\"webhook\"}", "url",
                    "{\"name\":\"s\",\"mode\":\"webhook\",\"url\":\"ftp://x/h\"}", "url",
                    "{\"name\":\"s\",\"mode\":\"sse\",\"eventTypes\":[\"rule.TicketOpened\",\"nope\"]}", "eventTypes[1]",
                    "{\"name\":\"s\",\"mode\":\"sse\",\"filters\":[{\"field\":\"p\",\"op\":\"like\",\"value\":1}]}",
                    "filters[0].op",
                    "{\"name\":\"s\",\"mode\":\"sse\",\"filters\":[{\"field\":\"p\",\"op\":\"in\",\"values\":[]}]}",
                    "filters[0].values",
                    "{\"name\":\"s\",\"mode\":\"webhook\",\"url\":\"http://127.0.0.1:1/h\",\"maxAttempts\":0}",
                    "maxAttempts",
                    "{\"name\":\"s\",\"mode\":\"sse\",\"guarantee\":\"at-most-once\"}", "guarantee",
                    "{\"name\":\"s\",\"mode\":\"sse\",\"url\":\"http://127.0.0.1:1/h\"}", "url");
            Set<String> seen = new HashSet<>();
            cases.forEach((body, field) -> {
                BusClient.Reply r = api.post("/v1/subscriptions", body, BusFixture.ADMIN);
                assertEquals(400, r.status(), body + " -> " + r.body());
                assertEquals(field, r.field(), body + " -> " + r.body());
                assertEquals("error", r.json().path("status").asText());
                seen.add(field);
            });
            assertEquals(401, api.post("/v1/subscriptions", "{\"name\":\"s\",\"mode\":\"sse\"}", null).status());
            assertEquals(0, api.get("/v1/subscriptions").json().path("items").size(), "nothing half-made");
        }
    }
}
