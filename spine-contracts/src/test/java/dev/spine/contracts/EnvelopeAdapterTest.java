package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Each legacy shape of the platform becomes its canonical envelope; canonical and unknown bodies do not change. */
class EnvelopeAdapterTest {
    private static final EventCodec CODEC = EventCodec.defaults();
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00.123Z");
    private static final EnvelopeAdapter ADAPTER = EnvelopeAdapter.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();

    static final String PG_BUS = """
            {"type":"sync.started","tenantId":"t-1","payload":{"connectorId":"c-9"},
             "metadata":{"actorType":"system","actorId":"scheduler"}}""";
    static final String HTTP_CLIENT = """
            {"id":"3F2504E0-4F89-11D3-9A0C-0305E82C3301","eventType":"data.EntityCreated","source":"crm",
             "timestamp":"2026-12-04T09:59:58Z","data":{"entityId":"e-1"},
             "metadata":{"correlationId":"order-77"}}""";
    static final String OUTBOX = """
            {"eventId":"legacy-42","eventType":"inventory:stock_level.updated","source":"inventory",
             "timestamp":"2026-12-04T09:59:58.5+01:00","correlationId":"9b2f6f0e-6a8e-4c7f-9a41-1f0e2b3c4d5e",
             "data":{"sku":"A-1"}}""";

    private static EnvelopeAdapter.Decoded decode(String json) {
        return ADAPTER.decode(CODEC, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void thePostgresBusShapeBecomesItsCanonicalEventWithAStableIdFromItsBody() {
        EnvelopeAdapter.Decoded d = decode(PG_BUS);

        EventEnvelope e = d.event();
        assertEquals(EnvelopeAdapter.Shape.PG_BUS, d.shape());
        assertEquals("connector.SyncStarted", e.eventType());
        assertEquals("c-9", e.data().get("connectorId").asText(), "payload becomes data");
        assertEquals("t-1", e.tenantId());
        assertEquals(NOW, e.timestamp(), "no time in the body: the adapter's clock");
        assertEquals("legacy-publisher", e.source());
        assertEquals(e.eventId(), e.correlationId(), "a chain starts at its first event");
        assertEquals(e.eventId(), decode(PG_BUS).event().eventId(), "a retry of the same body has the same eventId");
        assertNotEquals(e.eventId(), decode(PG_BUS.replace("c-9", "c-10")).event().eventId());
        assertEquals("pg-bus", e.extensions().get(EnvelopeAdapter.ADAPTED_FROM).get("shape").asText());
        assertEquals("sync.started", e.extensions().get(EnvelopeAdapter.ADAPTED_FROM).path("original").path("type")
                .asText(), "the original body is kept");
        assertEquals("scheduler", e.extensions().get("metadata").get("actorId").asText(), "metadata stays");
    }

    @Test
    void theHttpClientShapeKeepsItsIdAndCorrelationAndGetsMilliseconds() {
        EnvelopeAdapter.Decoded d = decode(HTTP_CLIENT);

        EventEnvelope e = d.event();
        assertEquals(EnvelopeAdapter.Shape.HTTP_CLIENT, d.shape());
        assertEquals(UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), e.eventId(), "id is the eventId");
        assertEquals(EnvelopeAdapter.nameBased("order-77"), e.correlationId(), "a non-UUID correlation id, stably");
        assertEquals(Instant.parse("2026-12-04T09:59:58.000Z"), e.timestamp());
        assertEquals("crm", e.source());
        assertEquals(e.eventId(), decode(HTTP_CLIENT).event().eventId());
    }

    @Test
    void theOutboxShapeMapsModuleResourceActionAndNormalisesItsValues() {
        EnvelopeAdapter.Decoded d = decode(OUTBOX);

        EventEnvelope e = d.event();
        assertEquals(EnvelopeAdapter.Shape.OUTBOX, d.shape());
        assertEquals("inventory.StockLevelUpdated", e.eventType());
        assertEquals(EnvelopeAdapter.nameBased("legacy-42"), e.eventId(), "a legacy id that is no UUID, stably");
        assertEquals(Instant.parse("2026-12-04T08:59:58.500Z"), e.timestamp(), "the offset is taken into account");
        assertEquals("inventory.ProductCreated", ADAPTER.canonicalType("inventory:product.created"));
    }

    @Test
    void aCanonicalEnvelopeIsDecodedAsItIs() {
        EventEnvelope canonical = EventEnvelope.builder().eventType("data.EntityCreated").source("s")
                .data(CODEC.objectMapper().createObjectNode().put("a", 1)).build();

        EnvelopeAdapter.Decoded d = ADAPTER.decode(CODEC, CODEC.encode(canonical));

        assertNull(d.shape());
        assertEquals(canonical, d.event());
    }

    @Test
    void anUnknownShapeIsRefusedWithTheCodecsCodeAndField() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> decode("{\"eventType\":\"data.EntityCreated\",\"data\":{}}"));
        assertEquals(InvalidEventException.Code.MISSING_FIELD, e.code());

        InvalidEventException unmapped = assertThrows(InvalidEventException.class,
                () -> decode("{\"type\":\"widget.spun\",\"payload\":{}}"));
        assertEquals(InvalidEventException.Code.INVALID_EVENT_TYPE, unmapped.code(), "no mapping for widget.spun");
        assertEquals("eventType", unmapped.field());
    }

    @Test
    void theTypeTableIsConfigurable() {
        EnvelopeAdapter custom = EnvelopeAdapter.builder()
                .typeMapping(EnvelopeAdapter.parseTypeMap("widget.spun=data.WidgetSpun", "SPINE_EVENT_TYPE_MAP")).build();

        EventEnvelope e = custom.decode(CODEC, "{\"type\":\"widget.spun\",\"payload\":{}}".getBytes(StandardCharsets.UTF_8))
                .event();

        assertEquals("data.WidgetSpun", e.eventType());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> EnvelopeAdapter.parseTypeMap("widget.spun=Widget", "SPINE_EVENT_TYPE_MAP"));
        assertEquals("SPINE_EVENT_TYPE_MAP", bad.variable());
        assertTrue(bad.getMessage().contains("widget.spun=Widget"), bad.getMessage());
    }

    @Test
    void anUnreadableLegacyTimestampIsRefusedNamingTheField() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> decode(PG_BUS.replace("\"tenantId\"", "\"createdAt\":\"yesterday\",\"tenantId\"")));
        assertEquals("createdAt", e.field());
        assertTrue(e.getMessage().contains("yesterday"));
    }

    @Test
    void defaultsCoverThePlatformsLegacyNames() {
        assertEquals("connector.SyncStarted", EnvelopeAdapter.defaults().canonicalType("sync.started"));
        assertEquals("rule.BhiCalculated", EnvelopeAdapter.defaults().canonicalType("bhi.calculated"));
        assertEquals("job.TaskCompleted", EnvelopeAdapter.defaults().canonicalType("task.completed"));
        assertEquals("data.UserCreated", EnvelopeAdapter.defaults().canonicalType("user.created"));
    }
}
