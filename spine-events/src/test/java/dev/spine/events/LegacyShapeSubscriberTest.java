package dev.spine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The subscriber SDK reads a legacy event published with plain NATS as its canonical event, unless told not to. */
@ExtendWith(SpineServices.class)
class LegacyShapeSubscriberTest {
    private static final String PG_BUS = "{\"type\":\"sync.started\",\"tenantId\":\"t-1\",\"payload\":{\"connectorId\":\"c-9\"}}";

    private static void publishRaw(TestNats nats) throws Exception {
        Connection plain = nats.connect();
        plain.jetStream().publish(nats.prefix() + ".connector.SyncStarted", PG_BUS.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLegacyBodyReachesTheHandlerAsItsCanonicalEvent(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        publishRaw(nats);
        List<EventEnvelope> seen = new CopyOnWriteArrayList<>();

        spine.subscribe(SubscriptionOptions.durable("legacy-reader").build(), e -> seen.add(e.envelope()));

        EventEnvelope e = Eventually.awaitValue("the adapted event", Duration.ofSeconds(10), () -> seen, l -> !l.isEmpty())
                .get(0);
        assertEquals("connector.SyncStarted", e.eventType());
        assertEquals("c-9", e.data().get("connectorId").asText());
        assertEquals("pg-bus", e.extensions().get(EnvelopeAdapter.ADAPTED_FROM).get("shape").asText());
        assertTrue(spine.deadLetters().list(10).isEmpty());
    }

    @Test
    void withoutAnAdapterTheLegacyBodyIsADeadLetterNamingTheField(TestNats nats) throws Exception {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).envelopeAdapter(null).build();
        spine.provision();
        publishRaw(nats);
        List<EventEnvelope> seen = new CopyOnWriteArrayList<>();

        spine.subscribe(SubscriptionOptions.durable("strict-reader").build(), e -> seen.add(e.envelope()));

        DeadLetter dl = Eventually.awaitValue("the legacy body dead-lettered", Duration.ofSeconds(10),
                () -> spine.deadLetters().list(10), l -> l.size() == 1).get(0);
        assertEquals("malformed", dl.reason());
        assertTrue(dl.error().contains("[eventId]") || dl.error().contains("[eventType]"), dl.error());
        assertTrue(seen.isEmpty(), "the handler never saw it");
    }
}
