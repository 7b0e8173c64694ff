package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypedEventTest {
    record OrderPlaced(String orderId, String email, BigDecimal total, Instant placedAt, List<String> skus) {}

    static final TypedEvent<OrderPlaced> ORDER_PLACED = TypedEvent.of("data.OrderPlaced", OrderPlaced.class);

    @Test
    void aRecordRoundTripsThroughTheWireWithoutHandWrittenJson() {
        OrderPlaced order = new OrderPlaced("o-1", "ann@example.com", new BigDecimal("19.90"),
                Instant.parse("2026-01-01T12:00:00.123Z"), List.of("a", "b"));
        EventEnvelope e = ORDER_PLACED.envelope("shop", order).build();
        assertEquals("data.OrderPlaced", e.eventType());
        assertEquals("1.0", e.eventVersion());
        assertEquals("2026-01-01T12:00:00.123Z", e.data().get("placedAt").asText());
        EventEnvelope received = EventCodec.defaults().decode(EventCodec.defaults().encode(e));
        assertEquals(order, ORDER_PLACED.dataOf(received));
    }

    @Test
    void unknownDataFieldsAreIgnoredSoNewerMinorVersionsStillRead() {
        EventEnvelope e = EventEnvelope.builder().eventType("data.OrderPlaced").source("shop")
                .data(EventCodec.defaults().objectMapper().createObjectNode().put("orderId", "o-2").put("addedLater", 1))
                .build();
        assertEquals("o-2", ORDER_PLACED.dataOf(e).orderId());
    }

    @Test
    void wrongTypeOrUnreadableDataFailsWithCodeAndField() {
        EventEnvelope other = EventEnvelope.builder().eventType("data.EntityCreated").source("x")
                .data(EventCodec.defaults().objectMapper().createObjectNode()).build();
        InvalidEventException wrongType = assertThrows(InvalidEventException.class, () -> ORDER_PLACED.dataOf(other));
        assertEquals(InvalidEventException.Code.INVALID_EVENT_TYPE, wrongType.code());
        EventEnvelope unreadable = EventEnvelope.builder().eventType("data.OrderPlaced").source("x")
                .data(EventCodec.defaults().objectMapper().createObjectNode().put("total", "lots")).build();
        InvalidEventException bad = assertThrows(InvalidEventException.class, () -> ORDER_PLACED.dataOf(unreadable));
        assertEquals(InvalidEventException.Code.INVALID_FIELD, bad.code());
        assertEquals("data", bad.field());
        assertThrows(InvalidEventException.class, () -> TypedEvent.of("NotAType", OrderPlaced.class));
    }
}
