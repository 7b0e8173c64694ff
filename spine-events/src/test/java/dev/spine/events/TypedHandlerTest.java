package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TypedEvent;
import dev.spine.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TypedHandlerTest {
    record Reading(String deviceId, double celsius) {}

    static final TypedEvent<Reading> READING = TypedEvent.of("connector.DataReceived", Reading.class);

    @Test
    void dataThatDoesNotFitTheRecordIsRejectedNotRetriedAndNotDropped() {
        try (InMemoryEventBus bus = new InMemoryEventBus()) {
            List<Reading> got = new CopyOnWriteArrayList<>();
            bus.subscribe(SubscriptionOptions.durable("typed").maxDeliver(5).backoff(Duration.ofMillis(5)).build(),
                    EventHandler.typed(READING, (r, e) -> got.add(r)));
            bus.publish(READING.envelope("gw", new Reading("d-1", 20.5)).build());
            EventEnvelope wrong = EventEnvelope.builder().eventType("connector.DataReceived").source("gw")
                    .data(JsonNodeFactory.instance.objectNode().put("celsius", "warm")).build();
            bus.publish(wrong);
            Eventually.await("the good one handled, the bad one dead", () -> got.size() == 1
                    && bus.deadLetters("typed").size() == 1);
            assertEquals(new Reading("d-1", 20.5), got.get(0));
            assertEquals(wrong.eventId(), bus.deadLetters("typed").get(0).envelope().eventId());
            assertEquals(1, bus.deadLetters("typed").get(0).deliveredCount(), "rejected on its first delivery");
        }
    }
}
