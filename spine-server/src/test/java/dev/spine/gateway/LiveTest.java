package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Live push over SSE and WebSocket: filters, and resuming after a disconnect without missing anything. */
@ExtendWith(SpineServices.class)
class LiveTest {
    private static final long WAIT_SECONDS = 30;

    /** One Server-Sent Event as the client parsed it (comments have only {@code comment}). */
    record Sse(String id, String event, String data, String comment) {}

    /** An SSE connection read on its own thread into a queue; closing it drops the connection. */
    static final class SseConnection implements AutoCloseable {
        final BlockingQueue<Sse> received = new LinkedBlockingQueue<>();
        final HttpResponse<InputStream> response;
        final Thread reader;

        SseConnection(BusClient api, String path, String token, String lastEventId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base + path)).GET()
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token);
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            response = api.http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            reader = new Thread(this::read, "test-sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String event = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(":")) {
                        received.add(new Sse(null, null, null, line.substring(1).trim()));
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        event = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    } else if (line.isEmpty() && (id != null || data.length() > 0)) {
                        received.add(new Sse(id, event, data.toString(), null));
                        id = null;
                        event = null;
                        data.setLength(0);
                    }
                }
            } catch (Exception e) {
                // the test closed the connection
            }
        }

        Sse next() throws InterruptedException {
            Sse s = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(s, "no SSE message within " + WAIT_SECONDS + " s");
            return s;
        }

        /** The next event, skipping keep-alive comments. */
        Sse nextEvent() throws InterruptedException {
            for (Sse s = next(); ; s = next()) {
                if (s.comment() == null) {
                    return s;
                }
            }
        }

        void awaitSubscribed() throws InterruptedException {
            Sse first = next();
            assertTrue(first.comment() != null && first.comment().startsWith("subscribed"), first.toString());
        }

        @Override
        public void close() throws java.io.IOException {
            response.body().close();
        }
    }

    private static String ticket(UUID id, String priority) {
        return PublishingTest.event("rule.TicketOpened", id, "{\"priority\":\"" + priority + "\"}");
    }

    /** Publishes {@code n} matching tickets, each followed by a non-matching one; returns the matching ids. */
    private static List<String> publishMixed(BusClient api, String key, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id.toString());
            assertEquals(202, api.publish(key, ticket(id, "high")).status());
            assertEquals(202, api.publish(key, ticket(UUID.randomUUID(), "low")).status());
            assertEquals(202, api.publish(key, PublishingTest.event("rule.RuleFired", UUID.randomUUID(),
                    "{\"priority\":\"high\"}")).status());
        }
        return ids;
    }

    @Test
    void anSseClientThatReconnectsWithLastEventIdMissesNothing(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*");
            BusClient.Reply created = api.post("/v1/subscriptions", "{\"name\":\"board\",\"mode\":\"sse\","
                    + "\"eventTypes\":[\"rule.TicketOpened\"],"
                    + "\"filters\":[{\"field\":\"priority\",\"op\":\"eq\",\"value\":\"high\"}]}", BusFixture.ADMIN);
            assertEquals(201, created.status(), created.body());
            String id = created.json().path("subscription").path("id").asText();
            String secret = created.json().path("secret").asText();
            String path = "/v1/subscriptions/" + id + "/events";

            List<String> firstBatch;
            String lastSeen;
            try (SseConnection sse = new SseConnection(api, path, secret, null)) {
                assertEquals(200, sse.response.statusCode());
                assertTrue(sse.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
                sse.awaitSubscribed();
                firstBatch = publishMixed(api, key, 3);
                List<String> got = new ArrayList<>();
                Sse e = null;
                for (int i = 0; i < 3; i++) {
                    e = sse.nextEvent();
                    assertEquals("rule.TicketOpened", e.event());
                    got.add(BusClient.JSON.readTree(e.data()).path("eventId").asText());
                }
                assertEquals(firstBatch, got);
                lastSeen = e.id();
            }
            // published while the client is away
            List<String> missed = publishMixed(api, key, 4);
            try (SseConnection sse = new SseConnection(api, path, secret, lastSeen)) {
                assertEquals(200, sse.response.statusCode());
                List<String> got = new ArrayList<>();
                long previous = Long.parseLong(lastSeen);
                for (int i = 0; i < 4; i++) {
                    Sse e = sse.nextEvent();
                    assertTrue(Long.parseLong(e.id()) > previous, "ids grow: " + e.id() + " after " + previous);
                    previous = Long.parseLong(e.id());
                    JsonNode event = BusClient.JSON.readTree(e.data());
                    assertEquals("high", event.path("data").path("priority").asText());
                    got.add(event.path("eventId").asText());
                }
                assertEquals(missed, got, "exactly the events published while away, in order");
                // and it stays live after the catch-up
                List<String> live = publishMixed(api, key, 1);
                assertEquals(live.get(0), BusClient.JSON.readTree(sse.nextEvent().data()).path("eventId").asText());

                // deleting the subscription ends its stream
                assertEquals(200, api.delete("/v1/subscriptions/" + id, BusFixture.ADMIN).status());
                sse.reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertTrue(!sse.reader.isAlive(), "the stream ended");
            }
            assertEquals(404, api.send(HttpRequest.newBuilder(URI.create(api.base + path))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + secret).GET()).status());
            JsonNode other = api.post("/v1/subscriptions", "{\"name\":\"board2\",\"mode\":\"sse\"}", BusFixture.ADMIN)
                    .json();
            path = "/v1/subscriptions/" + other.path("subscription").path("id").asText() + "/events";
            secret = other.path("secret").asText();

            BusClient.Reply wrongToken = api.send(HttpRequest.newBuilder(URI.create(api.base + path))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer nope").GET());
            assertEquals(401, wrongToken.status(), wrongToken.body());
            assertEquals("UNAUTHORIZED", wrongToken.errorCode());
            BusClient.Reply notSse = api.send(HttpRequest.newBuilder(URI.create(api.base + path))
                    .header("Authorization", "Bearer " + secret).GET());
            assertEquals(406, notSse.status(), notSse.body());
            assertEquals("Accept", notSse.field());
            BusClient.Reply badResume = api.send(HttpRequest.newBuilder(URI.create(api.base + path))
                    .header("Accept", "text/event-stream").header("Last-Event-ID", "yesterday")
                    .header("Authorization", "Bearer " + secret).GET());
            assertEquals(400, badResume.status(), badResume.body());
            assertEquals("Last-Event-ID", badResume.field());
            try (SseConnection fromStart = new SseConnection(api, path, secret, "0")) {
                assertEquals("1", fromStart.nextEvent().id(), "Last-Event-ID 0 resumes from the start of the stream");
            }
        }
    }

    /** A WebSocket client that queues each text message. */
    static final class WsClient implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        JsonNode next() throws Exception {
            String m = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(m, "no WebSocket message within " + WAIT_SECONDS + " s");
            return BusClient.JSON.readTree(m);
        }
    }

    @Test
    void aWebSocketClientResumesFromTheLastEventIdItSaw(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            String key = api.registerPublisher("helpdesk", "rule.*");
            BusClient.Reply created = api.post("/v1/subscriptions", "{\"name\":\"tool\",\"mode\":\"websocket\","
                    + "\"eventTypes\":[\"rule.TicketOpened\"],"
                    + "\"filters\":[{\"field\":\"priority\",\"op\":\"ne\",\"value\":\"low\"}]}", BusFixture.ADMIN);
            assertEquals(201, created.status(), created.body());
            String id = created.json().path("subscription").path("id").asText();
            String secret = created.json().path("secret").asText();
            String ws = "ws" + api.base.substring(4) + "/v1/subscriptions/" + id + "/ws?access_token=" + secret;

            WsClient first = new WsClient();
            WebSocket socket = api.http.newWebSocketBuilder().buildAsync(URI.create(ws), first).get(10, TimeUnit.SECONDS);
            assertEquals(id, first.next().path("subscribed").asText());
            List<String> sent = publishMixed(api, key, 2);
            JsonNode a = first.next();
            JsonNode b = first.next();
            assertEquals(sent, List.of(a.path("event").path("eventId").asText(), b.path("event").path("eventId").asText()));
            assertEquals("rule.TicketOpened", a.path("eventType").asText());
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

            List<String> missed = publishMixed(api, key, 3);
            WsClient second = new WsClient();
            api.http.newWebSocketBuilder().buildAsync(URI.create(ws + "&lastEventId=" + b.path("id").asLong()), second)
                    .get(10, TimeUnit.SECONDS).request(1);
            assertEquals(id, second.next().path("subscribed").asText());
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                got.add(second.next().path("event").path("eventId").asText());
            }
            assertEquals(missed, got);

            WsClient refused = new WsClient();
            WebSocket denied = api.http.newWebSocketBuilder().buildAsync(URI.create(ws.replace(secret, "nope")), refused)
                    .get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!denied.isInputClosed() && System.nanoTime() < deadline) {
                denied.request(1);
                Thread.onSpinWait();
            }
            assertTrue(denied.isInputClosed(), "a wrong token closes the socket");
            assertTrue(refused.messages.isEmpty(), "and sends no event");
            assertEquals(200, api.delete("/v1/subscriptions/" + id, BusFixture.ADMIN).status());
            assertEquals(4410, second.closed.get(WAIT_SECONDS, TimeUnit.SECONDS), "deleting the subscription ends it");
        }
    }

    @Test
    void aClientWhoseStartCannotBeReadGets503BrokerUnavailableNotAnInternalError(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of())) {
            BusClient api = new BusClient(service);
            BusClient.Reply sse = api.post("/v1/subscriptions", "{\"name\":\"board\",\"mode\":\"sse\"}",
                    BusFixture.ADMIN);
            assertEquals(201, sse.status(), sse.body());
            BusClient.Reply ws = api.post("/v1/subscriptions", "{\"name\":\"tool\",\"mode\":\"websocket\"}",
                    BusFixture.ADMIN);
            assertEquals(201, ws.status(), ws.body());
            // the broker answers, but the stream whose position a new client starts after is gone
            try (Spine admin = Spine.builder(nats.connect()).topology(service.engine().config().topology()).build()) {
                admin.deleteStreams();
            }

            BusClient.Reply refused = api.send(HttpRequest.newBuilder(URI.create(api.base + "/v1/subscriptions/"
                    + sse.json().path("subscription").path("id").asText() + "/events")).GET()
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + sse.json().path("secret").asText()));
            assertEquals(503, refused.status(), refused.body());
            assertEquals("BROKER_UNAVAILABLE", refused.errorCode(), refused.body());

            WsClient socket = new WsClient();
            api.http.newWebSocketBuilder().buildAsync(URI.create("ws" + api.base.substring(4) + "/v1/subscriptions/"
                    + ws.json().path("subscription").path("id").asText() + "/ws?access_token="
                    + ws.json().path("secret").asText()), socket).get(10, TimeUnit.SECONDS);
            assertEquals(4503, socket.closed.get(WAIT_SECONDS, TimeUnit.SECONDS), "the WebSocket is closed as 503");
            assertTrue(socket.messages.isEmpty(), "and told no start: " + socket.messages);
        }
    }
}
