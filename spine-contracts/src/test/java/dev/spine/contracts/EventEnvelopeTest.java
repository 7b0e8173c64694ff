package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.InvalidEventException.Code;
import dev.spine.testkit.SettableClock;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventEnvelopeTest {
    private static final ObjectNode DATA = JsonNodeFactory.instance.objectNode().put("k", "v");

    @Test
    void generatedEventIdsAreTimeOrderedVersion7AndUnique() {
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        UUID previous = null;
        for (int i = 0; i < 10_000; i++) {
            UUID id = EventEnvelope.builder().eventType("data.EntityCreated").source("s")
                    .data(JsonNodeFactory.instance.objectNode()).build().eventId();
            assertEquals(7, id.version());
            assertEquals(2, id.variant());
            if (previous != null) {
                // the millisecond prefix never goes back within one producer
                assertTrue((id.getMostSignificantBits() >>> 16) >= (previous.getMostSignificantBits() >>> 16));
            }
            previous = id;
            ids.add(id);
        }
        assertEquals(10_000, ids.size());
    }

    @Test
    void builderFillsIdTimestampAndStartsANewChain() {
        SettableClock clock = new SettableClock(Instant.parse("2026-03-04T05:06:07.891234Z"));
        EventEnvelope e = EventEnvelope.builder(clock).eventType("data.EntityCreated").source("svc").data(DATA).build();
        assertNotNull(e.eventId());
        assertEquals(Instant.parse("2026-03-04T05:06:07.891Z"), e.timestamp(), "truncated to wire precision");
        assertEquals(e.eventId(), e.correlationId(), "a root event correlates to itself");
        assertEquals(EventEnvelope.DEFAULT_EVENT_VERSION, e.eventVersion());
        assertNull(e.causationId());
        assertNotEquals(e.eventId(), EventEnvelope.builder(clock).eventType("data.EntityCreated").source("svc")
                .data(DATA).build().eventId());
    }

    @Test
    void followUpKeepsCorrelationAndPointsCausationAtTheParent() {
        TraceContext trace = TraceContext.of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        EventEnvelope parent = EventEnvelope.builder().eventType("connector.DataReceived").source("gw").data(DATA)
                .correlationId(UUID.randomUUID()).tenantId("acme").traceContext(trace).build();
        EventEnvelope child = parent.followUp("job.Enqueued").source("job-service").data(DATA).build();
        assertEquals(parent.correlationId(), child.correlationId());
        assertEquals(parent.eventId(), child.causationId());
        assertNotEquals(parent.eventId(), child.eventId());
        assertEquals("acme", child.tenantId());
        assertEquals(trace, child.traceContext());
        EventEnvelope grandChild = child.followUp("job.Completed").source("worker").data(DATA).build();
        assertEquals(parent.correlationId(), grandChild.correlationId());
        assertEquals(child.eventId(), grandChild.causationId());
    }

    @Test
    void builderNamesTheMissingOrInvalidField() {
        assertField(Code.MISSING_FIELD, "eventType", EventEnvelope.builder().source("s").data(DATA));
        assertField(Code.MISSING_FIELD, "source", EventEnvelope.builder().eventType("ai.QueryReceived").data(DATA));
        assertField(Code.MISSING_FIELD, "data", EventEnvelope.builder().eventType("ai.QueryReceived").source("s"));
        assertField(Code.INVALID_EVENT_TYPE, "eventType", EventEnvelope.builder().eventType("ai").source("s").data(DATA));
        assertField(Code.INVALID_FIELD, "eventVersion",
                EventEnvelope.builder().eventType("ai.QueryReceived").eventVersion("1").source("s").data(DATA));
        assertField(Code.INVALID_FIELD, "tenantId",
                EventEnvelope.builder().eventType("ai.QueryReceived").tenantId("").source("s").data(DATA));
    }

    @Test
    void extensionsCannotShadowEnvelopeFieldsOrRepeat() {
        EventEnvelope.Builder b = EventEnvelope.builder();
        InvalidEventException shadow = assertThrows(InvalidEventException.class,
                () -> b.extension("eventId", JsonNodeFactory.instance.textNode("x")));
        assertEquals("eventId", shadow.field());
        b.extension("x", JsonNodeFactory.instance.numberNode(1));
        assertEquals(Code.INVALID_FIELD, assertThrows(InvalidEventException.class,
                () -> b.extension("x", JsonNodeFactory.instance.numberNode(2))).code());
    }

    @Test
    void toBuilderCopiesEverything() {
        EventEnvelope e = EventEnvelope.builder().eventType("rule.RuleFired").source("s").data(DATA)
                .causationId(UUID.randomUUID()).extension("extra", JsonNodeFactory.instance.textNode("y")).build();
        assertEquals(e, e.toBuilder().build());
        assertNotEquals(e, e.toBuilder().source("other").build());
    }

    @Test
    void traceContextValidatesW3cFormat() {
        assertEquals("traceContext.traceparent",
                assertThrows(InvalidEventException.class, () -> TraceContext.of("00-abc-def-01")).field());
        assertThrows(InvalidEventException.class,
                () -> TraceContext.of("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertEquals(Code.MISSING_FIELD, assertThrows(InvalidEventException.class,
                () -> new TraceContext(null, "a=b")).code());
    }

    private static void assertField(Code code, String field, EventEnvelope.Builder b) {
        InvalidEventException ex = assertThrows(InvalidEventException.class, b::build);
        assertEquals(code, ex.code(), ex.getMessage());
        assertEquals(field, ex.field(), ex.getMessage());
    }
}
