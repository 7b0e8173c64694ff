package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.api.ConsumerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class ReplayTest {

    @Test
    void replayFromATimestampReturnsExactlyTheLaterEvents(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        for (int i = 0; i < 5; i++) {
            spine.publish(TestSpines.event("data.EntityCreated", i));
        }
        List<UUID> later = new ArrayList<>();
        long firstLater = 0;
        for (int i = 5; i < 10; i++) {
            EventEnvelope e = TestSpines.event("data.EntityCreated", i);
            long seq = spine.publish(e).sequence();
            firstLater = firstLater == 0 ? seq : firstLater;
            later.add(e.eventId());
        }
        // the server's own timestamp of the 6th event: everything before it was stored earlier
        Instant cut = nats.connect().jetStreamManagement()
                .getMessage(spine.topology().platformStream(), firstLater).getTime().toInstant();
        List<UUID> replayed = new ArrayList<>();
        ReplayResult r = spine.replay(ReplayOptions.fromTime(cut).build(), e -> replayed.add(e.envelope().eventId()));
        assertEquals(later, replayed);
        assertEquals(new ReplayResult(5, 0, 10), r);
    }

    @Test
    void replayFromASequenceWithAFilterLeavesDurablesAlone(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        List<UUID> connector = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            EventEnvelope e = TestSpines.event(i % 2 == 0 ? "connector.DataReceived" : "ai.QueryReceived", i);
            spine.publish(e);
            if (i % 2 == 0 && i >= 4) {
                connector.add(e.eventId());
            }
        }
        Set<UUID> consumed = ConcurrentHashMap.newKeySet();
        EventSubscription durable = spine.subscribe(SubscriptionOptions.durable("live").eventTypes("connector.*")
                .pullExpiry(Duration.ofSeconds(1)).build(), e -> consumed.add(e.envelope().eventId()));
        Eventually.await("durable caught up", () -> consumed.size() == 6);
        durable.close();
        ConsumerInfo before = consumerInfo(spine, "live");

        List<UUID> replayed = new ArrayList<>();
        ReplayResult r = spine.replay(ReplayOptions.fromSequence(5).eventTypes("connector.*").build(),
                e -> replayed.add(e.envelope().eventId()));
        assertEquals(connector, replayed);
        assertEquals(4, r.delivered());

        List<UUID> twice = new ArrayList<>();
        spine.replay(ReplayOptions.fromSequence(1).limit(3).build(), e -> twice.add(e.envelope().eventId()));
        assertEquals(3, twice.size(), "limit respected");

        ConsumerInfo after = consumerInfo(spine, "live");
        assertEquals(before.getDelivered().getConsumerSequence(), after.getDelivered().getConsumerSequence(),
                "replay delivered nothing through the durable");
        assertEquals(before.getAckFloor().getStreamSequence(), after.getAckFloor().getStreamSequence());
        assertEquals(0, after.getNumPending() + after.getNumAckPending());
        assertEquals(0, spine.replay(ReplayOptions.fromSequence(99).build(), e -> fail("nothing after the end"))
                .delivered());
    }

    private static ConsumerInfo consumerInfo(Spine spine, String durable) throws Exception {
        return spine.connection().getStreamContext(spine.topology().platformStream()).getConsumerInfo(durable);
    }

    @Test
    void optionsValidate() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplayOptions.fromSequence(0).build())
                .getMessage().startsWith("startSequence"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ReplayOptions.fromSequence(1).eventTypes("*").build()).getMessage().startsWith("eventTypes"));
    }
}
