package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TraceContext;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.api.MessageInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class PublisherTest {

    @Test
    void tenThousandEventsPublishedTwiceAreStoredOnce(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        List<EventEnvelope> events = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            events.add(TestSpines.event(i % 2 == 0 ? "connector.DataReceived" : "data.EntityUpdated", i));
        }
        List<CompletableFuture<PublishResult>> first = new ArrayList<>();
        events.forEach(e -> first.add(spine.publishAsync(e)));
        for (CompletableFuture<PublishResult> f : first) {
            assertFalse(f.get().duplicate());
        }
        List<CompletableFuture<PublishResult>> second = new ArrayList<>();
        events.forEach(e -> second.add(spine.publishAsync(e)));
        for (CompletableFuture<PublishResult> f : second) {
            assertTrue(f.get().duplicate(), "the second copy is recognised by its eventId");
        }
        assertEquals(10_000, TestSpines.messages(nats, spine.topology().platformStream()));
    }

    @Test
    void syncPublishReportsStreamSequenceAndDuplicate(TestNats nats) {
        Spine spine = TestSpines.provisioned(nats);
        EventEnvelope e = TestSpines.event("ai.QueryReceived", 1);
        PublishResult r = spine.publish(e);
        assertEquals(new PublishResult(spine.topology().platformStream(), 1, false), r);
        assertEquals(new PublishResult(spine.topology().platformStream(), 1, true), spine.publish(e));
        assertEquals(2, spine.publish(TestSpines.event("ai.QueryReceived", 2)).sequence());
    }

    @Test
    void headersCarryDedupeKeyTypeCorrelationAndTrace(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        TraceContext trace = new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v");
        EventEnvelope e = TestSpines.event("rule.RuleFired", 1).toBuilder().traceContext(trace).build();
        long seq = spine.publish(e).sequence();
        MessageInfo m = nats.connect().jetStreamManagement().getMessage(spine.topology().platformStream(), seq);
        assertEquals(nats.prefix() + ".rule.RuleFired", m.getSubject());
        assertEquals(e.eventId().toString(), m.getHeaders().getFirst("Nats-Msg-Id"));
        assertEquals("rule.RuleFired", m.getHeaders().getFirst("Spine-Event-Type"));
        assertEquals(e.correlationId().toString(), m.getHeaders().getFirst("Spine-Correlation-Id"));
        assertEquals(trace.traceparent(), m.getHeaders().getFirst("traceparent"));
        assertEquals("k=v", m.getHeaders().getFirst("tracestate"));
        assertNull(m.getHeaders().getFirst("Nats-Expected-Stream"), "never set: 2.9 would drop it from sourcing streams");
        assertEquals(e, spine.codec().decode(m.getData()));
    }

    @Test
    void unregisteredDomainFailsBeforeAnythingIsSent(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        Connection watcher = nats.connect();
        Subscription wire = watcher.subscribe(nats.prefix() + ".>");
        watcher.flush(Duration.ofSeconds(2));

        EventEnvelope billing = TestSpines.event("billing.InvoicePaid", 1);
        InvalidEventException sync = assertThrows(InvalidEventException.class, () -> spine.publish(billing));
        assertEquals(InvalidEventException.Code.UNKNOWN_DOMAIN, sync.code());
        assertEquals("eventType", sync.field());
        InvalidEventException async = assertThrows(InvalidEventException.class, () -> spine.publishAsync(billing));
        assertEquals(InvalidEventException.Code.UNKNOWN_DOMAIN, async.code());

        EventEnvelope marker = TestSpines.event("system.MarkerSent", 2);
        spine.publish(marker);
        Message first = wire.nextMessage(Duration.ofSeconds(5));
        assertNotNull(first);
        assertEquals(nats.prefix() + ".system.MarkerSent", first.getSubject(), "the rejected event never hit the wire");
        assertEquals(1, TestSpines.messages(nats, spine.topology().platformStream()));
    }

    @Test
    void failFastBackpressureRejectsBeyondTheInFlightBound(TestNats nats) throws Exception {
        TestSpines.provisioned(nats);
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).maxInFlight(1)
                .whenFull(SpineBuilder.WhenFull.FAIL_FAST).build();
        List<CompletableFuture<PublishResult>> accepted = new ArrayList<>();
        int rejected = 0;
        for (int i = 0; i < 200; i++) {
            try {
                accepted.add(spine.publishAsync(TestSpines.event("job.Enqueued", i)));
            } catch (EventPublishException e) {
                assertEquals(EventPublishException.Reason.BACKPRESSURE, e.reason());
                rejected++;
            }
        }
        for (CompletableFuture<PublishResult> f : accepted) {
            f.get();
        }
        assertTrue(rejected > 0, "200 back-to-back publishes with one slot must hit the bound");
        assertEquals(accepted.size(), TestSpines.messages(nats, spine.topology().platformStream()));
    }

    @Test
    void publishWithoutAStreamFailsTypedAfterRetries(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats))
                .publishTimeout(Duration.ofMillis(300)).publishRetries(1).build();
        EventPublishException e = assertThrows(EventPublishException.class,
                () -> spine.publish(TestSpines.event("data.EntityCreated", 1)));
        assertEquals(EventPublishException.Reason.UNAVAILABLE, e.reason());
        ExecutionException async = assertThrows(ExecutionException.class,
                () -> spine.publishAsync(TestSpines.event("data.EntityCreated", 2)).get());
        assertInstanceOf(EventPublishException.class, async.getCause());
    }

    @Test
    void spineBuiltFromAUrlOwnsAndClosesItsConnection(TestNats nats) {
        Spine spine = Spine.builder(nats.url()).topology(TestSpines.topology(nats)).build();
        spine.provision();
        assertEquals(1, spine.publish(TestSpines.event("system.ServiceStarted", 1)).sequence());
        Connection owned = spine.connection();
        spine.close();
        assertEquals(Connection.Status.CLOSED, owned.getStatus());
        assertThrows(SpineException.class, () -> Spine.builder("nats://127.0.0.1:1").publishTimeout(Duration.ofMillis(200))
                .build());
    }

    @Test
    void builderValidatesNamingTheField(TestNats nats) {
        Connection c = nats.connect();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Spine.builder(c).maxInFlight(0).build())
                .getMessage().startsWith("maxInFlight"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Spine.builder(c).publishRetries(-1).build())
                .getMessage().startsWith("publishRetries"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Spine.builder(c).publishTimeout(Duration.ZERO).build()).getMessage().startsWith("publishTimeout"));
    }
}
