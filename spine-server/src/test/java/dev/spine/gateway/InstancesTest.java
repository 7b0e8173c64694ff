package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.service.ServiceConfig;
import dev.spine.service.ServiceFixture;
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

/** Two job service instances on the same database and streams share subscriptions and the event store. */
@ExtendWith(SpineServices.class)
class InstancesTest {

    @Test
    void eventsPublishedWhileNoInstanceRunsAreDeliveredAfterARestart(TestDatabase db, TestNats nats) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            try (SpineServer first = BusFixture.start(db, nats, Map.of())) {
                BusClient api = new BusClient(first);
                assertEquals(201, api.post("/v1/subscriptions", "{\"name\":\"durable\",\"mode\":\"webhook\","
                        + "\"eventTypes\":[\"rule.TicketOpened\"],\"url\":\"" + receiver.url() + "\"}", BusFixture.ADMIN)
                        .status());
            }
            // nothing of the bus runs now; a service publishes straight to NATS
            ServiceConfig config = ServiceFixture.config(db, nats, Map.of("SPINE_BUS_ENABLED", "true"));
            List<String> ids = publishStraightToNats(nats, config, 3);
            deliveredOnceByAnInstanceStartedNow(db, nats, receiver, ids);
        }
    }

    @Test
    void eventsPublishedBeforeASubscriptionsConsumerExistsAreDeliveredOnceItStarts(TestDatabase db, TestNats nats)
            throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String subscriptionId;
            try (SpineServer first = BusFixture.start(db, nats, Map.of())) {
                BusClient.Reply created = new BusClient(first).post("/v1/subscriptions", "{\"name\":\"late\","
                        + "\"mode\":\"webhook\",\"eventTypes\":[\"rule.TicketOpened\"],\"url\":\"" + receiver.url()
                        + "\"}", BusFixture.ADMIN);
                assertEquals(201, created.status(), created.body());
                subscriptionId = created.json().path("subscription").path("id").asText();
                assertEquals(1, created.json().path("subscription").path("startSequence").asLong(),
                        "the stream was empty: the subscription starts at its first event");
            }
            // as if the instance that made the subscription could not create its consumer (NATS slow or away
            // at that moment): the next instance to pick the subscription up creates it
            ServiceConfig config = ServiceFixture.config(db, nats, Map.of("SPINE_BUS_ENABLED", "true"));
            try (var connection = nats.connect()) {
                connection.jetStreamManagement().deleteConsumer(config.topology().platformStream(),
                        "bus-webhook-" + subscriptionId);
            }
            List<String> ids = publishStraightToNats(nats, config, 3);
            deliveredOnceByAnInstanceStartedNow(db, nats, receiver, ids);
        }
    }

    @Test
    void aRefreshThatWaitedForAClosingDispatcherStartsNothing(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            assertEquals(201, new BusClient(service).post("/v1/subscriptions", "{\"name\":\"closing\",\"mode\":\"webhook\","
                    + "\"url\":\"" + receiver.url() + "\"}", BusFixture.ADMIN).status());
            WebhookDispatcher dispatcher = service.gateway().dispatcher();
            assertEquals(1, dispatcher.deliveringCount());
            dispatcher.close();
            // the refresh thread may have been waiting for the lock close() held: it runs after close
            dispatcher.sync();
            assertEquals(0, dispatcher.deliveringCount(), "no consumer started on a closed dispatcher");
        }
    }

    private static void deliveredOnceByAnInstanceStartedNow(TestDatabase db, TestNats nats, WebhookReceiver receiver,
            List<String> ids) {
        try (SpineServer next = BusFixture.start(db, nats, Map.of())) {
            Eventually.await("the events delivered by the instance started now",
                    () -> ids.stream().allMatch(id -> !receiver.of(id).isEmpty()));
            ids.forEach(id -> assertEquals(1, receiver.of(id).size(), "once: " + id));
        }
    }

    private static List<String> publishStraightToNats(TestNats nats, ServiceConfig config, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Spine publisher = Spine.builder(nats.connect()).topology(config.topology()).build()) {
            for (int i = 0; i < n; i++) {
                EventEnvelope e = EventEnvelope.builder().eventType("rule.TicketOpened").source("offline")
                        .data(JsonNodeFactory.instance.objectNode().put("n", i)).build();
                publisher.publish(e);
                ids.add(e.eventId().toString());
            }
        }
        return ids;
    }

    @Test
    void aSubscriptionMadeOnOneInstanceIsDeliveredByAnotherOnceTheFirstIsGone(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer b = BusFixture.start(db, nats, Map.of()); WebhookReceiver receiver = new WebhookReceiver()) {
            BusClient apiB = new BusClient(b);
            String subscriptionId;
            String key;
            try (SpineServer a = BusFixture.start(db, nats, Map.of())) {
                BusClient apiA = new BusClient(a);
                key = apiA.registerPublisher("helpdesk", "rule.*");
                BusClient.Reply created = apiA.post("/v1/subscriptions", "{\"name\":\"shared\",\"mode\":\"webhook\","
                        + "\"eventTypes\":[\"rule.TicketOpened\"],\"url\":\"" + receiver.url() + "\"}", BusFixture.ADMIN);
                assertEquals(201, created.status(), created.body());
                subscriptionId = created.json().path("subscription").path("id").asText();
            }
            // only b is left: it picked the subscription up from the table (SPINE_BUS_REFRESH=1s here)
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id.toString());
                assertEquals(202, apiB.publish(key, PublishingTest.event("rule.TicketOpened", id, "{}")).status(),
                        "b knows the publisher registered on a");
            }
            Eventually.await("b delivers the events", () -> ids.stream().allMatch(id -> !receiver.of(id).isEmpty()));
            for (String id : ids) {
                assertEquals(1, receiver.of(id).size(), "once: " + id);
                assertEquals(subscriptionId, receiver.of(id).get(0).header("Spine-Subscription-Id"));
            }
            Eventually.await("every event stored once", () -> apiB.get("/v1/events?type=rule.TicketOpened").json()
                    .path("items").size() == 5);
        }
    }
}
