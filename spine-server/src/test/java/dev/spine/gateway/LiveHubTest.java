package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.server.SpineServer;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * New live clients of one subscription share one feed (LiveHubs). Clients that join while events flow each get,
 * from the sequence they were told they start after, exactly the events the first client got after it: in
 * order, none twice, none missing; the feed goes on when some leave and opens again after the last one left.
 */
@ExtendWith(SpineServices.class)
class LiveHubTest {
    private static final int EVENTS = 300;

    @Test
    void clientsJoiningWhileEventsFlowGetEveryEventAfterTheirStartInOrderOnce(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_EVENT_STORE", "false"))) {
            BusClient api = new BusClient(service);
            BusClient.SseSubscription sub = api.sseSubscription("shared", "data.*");
            String path = sub.path();
            String secret = sub.secret();
            String key = api.registerPublisher("shared-feed", "data.*");

            List<UUID> published = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> publishFailed = new AtomicReference<>();
            try (LiveTest.SseConnection first = new LiveTest.SseConnection(api, path, secret, null)) {
                long firstStart = start(first);
                Thread publisher = new Thread(() -> {
                    try {
                        for (int i = 0; i < EVENTS; i++) {
                            UUID id = UUID.randomUUID();
                            BusClient.Reply r = api.publish(key, PublishingTest.event("data.OrderPlaced", id, "{\"n\":" + i + "}"));
                            assertEquals(202, r.status(), r.body());
                            published.add(id);
                        }
                    } catch (Throwable t) {
                        publishFailed.set(t);
                    }
                }, "test-publisher");
                publisher.start();
                // two more clients join while the publisher runs, at different points of the stream
                Eventually.await("a third of the events published", Duration.ofSeconds(60),
                        () -> published.size() >= EVENTS / 3 || publishFailed.get() != null);
                LiveTest.SseConnection second = new LiveTest.SseConnection(api, path, secret, null);
                long secondStart = start(second);
                Eventually.await("two thirds of the events published", Duration.ofSeconds(60),
                        () -> published.size() >= 2 * EVENTS / 3 || publishFailed.get() != null);
                LiveTest.SseConnection third = new LiveTest.SseConnection(api, path, secret, null);
                long thirdStart = start(third);
                publisher.join();
                assertEquals(null, publishFailed.get());

                List<LiveTest.Sse> all = read(first, EVENTS);
                assertEquals(published, ids(all), "the first client: every event, in publish order, once");
                assertTrue(sequence(all.get(0)) > firstStart);
                long last = sequence(all.get(all.size() - 1));
                List<LiveTest.Sse> ofSecond = readUntil(second, last);
                List<LiveTest.Sse> ofThird = readUntil(third, last);
                assertEquals(sequencesAfter(all, secondStart), sequences(ofSecond), "the second client from its start");
                assertEquals(sequencesAfter(all, thirdStart), sequences(ofThird), "the third client from its start");
                assertTrue(secondStart >= firstStart && thirdStart >= secondStart, "starts in joining order");

                // the feed goes on for the one left when the others leave
                first.close();
                second.close();
                UUID after = UUID.randomUUID();
                assertEquals(202, api.publish(key, PublishingTest.event("data.OrderPlaced", after, "{}")).status());
                assertTrue(third.nextEvent().data().contains(after.toString()));
                third.close();
            }
            // and opens again for a client that comes after the last one left
            try (LiveTest.SseConnection again = new LiveTest.SseConnection(api, path, secret, null)) {
                start(again);
                UUID later = UUID.randomUUID();
                assertEquals(202, api.publish(key, PublishingTest.event("data.OrderPlaced", later, "{}")).status());
                assertTrue(again.nextEvent().data().contains(later.toString()));
            }
        }
    }

    /**
     * A client that resumes (Last-Event-ID) reads on a feed of its own until it has caught up with the shared
     * feed, which then takes it over: it gets every event after its resume point, in order, once, across the
     * handover, and its own broker consumer is gone afterwards.
     */
    @Test
    void aResumingClientCatchesUpOnItsOwnFeedThenTheSharedFeedTakesItOver(TestDatabase db, TestNats nats)
            throws Exception {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_BUS_EVENT_STORE", "false"))) {
            BusClient api = new BusClient(service);
            BusClient.SseSubscription sub = api.sseSubscription("resumed", "data.*");
            String key = api.registerPublisher("resume-feed", "data.*");
            try (LiveTest.SseConnection first = new LiveTest.SseConnection(api, sub.path(), sub.secret(), null)) {
                long firstStart = start(first);
                List<UUID> published = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    published.add(publish(api, key));
                }
                List<LiveTest.Sse> before = read(first, 50);
                long consumers = consumers(nats);
                Thread publisher = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        published.add(publish(api, key));
                    }
                }, "test-publisher");
                publisher.start();
                // resumes from the first client's start: 50 events to catch up, then the live ones
                try (LiveTest.SseConnection resumed = new LiveTest.SseConnection(api, sub.path(), sub.secret(),
                        String.valueOf(firstStart))) {
                    assertEquals(firstStart, start(resumed));
                    publisher.join();
                    List<LiveTest.Sse> all = new ArrayList<>(before);
                    all.addAll(read(first, 200));
                    assertEquals(published, ids(all));
                    long last = sequence(all.get(all.size() - 1));
                    assertEquals(sequences(all), sequences(readUntil(resumed, last)),
                            "the resumed client: every event after its resume point, in order, once");
                    Eventually.await("the resumed client's own feed ended (the shared one took it over)",
                            Duration.ofSeconds(30), () -> consumers(nats) == consumers);
                    UUID after = publish(api, key);
                    assertTrue(resumed.nextEvent().data().contains(after.toString()), "and it goes on there");
                }
            }
        }
    }

    private static UUID publish(BusClient api, String key) {
        UUID id = UUID.randomUUID();
        BusClient.Reply r = api.publish(key, PublishingTest.event("data.OrderPlaced", id, "{}"));
        assertEquals(202, r.status(), r.body());
        return id;
    }

    /** Consumers on the test's streams (each live feed is an ordered consumer). */
    private static long consumers(TestNats nats) {
        try {
            io.nats.client.JetStreamManagement jsm = nats.connect().jetStreamManagement();
            long n = 0;
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(nats.prefix())) {
                    n += jsm.getStreamInfo(name).getStreamState().getConsumerCount();
                }
            }
            return n;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sequence a client starts after, from its first line {@code : subscribed <id> after <n>}. */
    private static long start(LiveTest.SseConnection c) throws InterruptedException {
        LiveTest.Sse first = c.next();
        assertTrue(first.comment() != null && first.comment().startsWith("subscribed "), first.toString());
        return Long.parseLong(first.comment().substring(first.comment().lastIndexOf(' ') + 1));
    }

    /** The next {@code n} events, keep-alive comments skipped. */
    private static List<LiveTest.Sse> read(LiveTest.SseConnection c, int n) throws InterruptedException {
        List<LiveTest.Sse> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(c.nextEvent());
        }
        return out;
    }

    /** Events until the one with {@code lastSequence}. */
    private static List<LiveTest.Sse> readUntil(LiveTest.SseConnection c, long lastSequence) throws InterruptedException {
        List<LiveTest.Sse> out = new ArrayList<>();
        while (out.isEmpty() || sequence(out.get(out.size() - 1)) < lastSequence) {
            out.add(c.nextEvent());
        }
        return out;
    }

    private static long sequence(LiveTest.Sse e) {
        return Long.parseLong(e.id());
    }

    private static List<UUID> ids(List<LiveTest.Sse> events) {
        return events.stream().map(e -> UUID.fromString(e.data().replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1")))
                .toList();
    }

    private static List<Long> sequences(List<LiveTest.Sse> events) {
        return events.stream().map(LiveHubTest::sequence).toList();
    }

    private static List<Long> sequencesAfter(List<LiveTest.Sse> events, long start) {
        return events.stream().map(LiveHubTest::sequence).filter(s -> s > start).toList();
    }
}
