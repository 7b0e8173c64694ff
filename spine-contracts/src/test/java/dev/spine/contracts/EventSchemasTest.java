package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.InvalidEventException.Code;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventSchemasTest {
    private static final String ORDER_SCHEMA = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
             "required": ["orderId", "email"],
             "properties": {
               "orderId": {"type": "string"},
               "email": {"type": "string", "format": "email"},
               "items": {"type": "array", "items": {"type": "object", "required": ["sku"],
                         "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}}
             }}""";

    private final EventSchemas schemas = EventSchemas.builder().add("data.OrderPlaced", "1.0", ORDER_SCHEMA).build();

    private static EventEnvelope order(String version, String json) {
        ObjectNode data;
        try {
            data = (ObjectNode) EventCodec.defaults().objectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        return EventEnvelope.builder().eventType("data.OrderPlaced").eventVersion(version).source("shop").data(data).build();
    }

    @Test
    void invalidEmailIsReportedWithItsFieldAndCode() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> schemas.validate(order("1.0", "{\"orderId\":\"o-1\",\"email\":\"not-an-address\"}")));
        assertEquals(Code.SCHEMA_VALIDATION_ERROR, e.code());
        assertEquals("data.email", e.field());
        assertEquals("data.email: must be a valid email address", e.violations().get(0).toString());
        assertTrue(e.getMessage().contains("data.email: must be a valid email address"), e.getMessage());
    }

    @Test
    void everyViolationIsListedWithItsPath() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> schemas.validate(
                order("1.0", "{\"email\":\"ann@example.com\",\"items\":[{\"sku\":\"a\",\"qty\":0},{\"qty\":2}]}")));
        Set<String> fields = Set.copyOf(e.violations().stream().map(InvalidEventException.Violation::field).toList());
        assertEquals(Set.of("data.orderId", "data.items[0].qty", "data.items[1].sku"), fields);
        assertTrue(e.violations().stream().anyMatch(v -> v.toString().equals("data.orderId: is required")),
                e.violations().toString());
    }

    @Test
    void validDataPassesAndTypesWithoutSchemaAreNotChecked() {
        schemas.validate(order("1.0", "{\"orderId\":\"o-1\",\"email\":\"ann@example.com\",\"items\":[{\"sku\":\"a\",\"qty\":1}]}"));
        schemas.validate(EventEnvelope.builder().eventType("data.EntityCreated").source("x")
                .data(EventCodec.defaults().objectMapper().createObjectNode().put("anything", true)).build());
        EventSchemas.none().validate(order("1.0", "{}"));
    }

    @Test
    void aVersionWithoutSchemaIsRefusedOnEventVersion() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> schemas.validate(order("2.0", "{\"orderId\":\"o-1\",\"email\":\"ann@example.com\"}")));
        assertEquals(Code.SCHEMA_VALIDATION_ERROR, e.code());
        assertEquals("eventVersion", e.field());
        assertTrue(e.getMessage().contains("known: 1.0"), e.getMessage());
    }

    @Test
    void decodedEnvelopesAreValidatedFromTheirBytes() {
        EventEnvelope sent = order("1.0", "{\"orderId\":\"o-1\",\"email\":\"x@\"}");
        EventEnvelope received = EventCodec.defaults().decode(EventCodec.defaults().encode(sent));
        assertEquals("data.email", assertThrows(InvalidEventException.class, () -> schemas.validate(received)).field());
    }

    @Test
    void shippedSchemasLoadFromTheClasspathIndex() {
        EventSchemas shipped = EventSchemas.fromClasspath();
        assertTrue(shipped.has("communication.EmailSendRequested", "1.0"), shipped.registered().toString());
        EventEnvelope bad = EventEnvelope.builder().eventType("communication.EmailSendRequested").source("x")
                .data(EventCodec.defaults().objectMapper().createObjectNode().put("to", "nobody").put("subject", "Hi"))
                .build();
        assertEquals("data.to", assertThrows(InvalidEventException.class, () -> shipped.validate(bad)).field());
    }

    @Test
    void builderRefusesBadInputNamingIt() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EventSchemas.builder().add("Bad", "1.0", "{}")).getMessage().startsWith("eventType"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EventSchemas.builder().add("data.X", "v1", "{}")).getMessage().startsWith("version"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EventSchemas.builder().add("data.X", "1.0", "{nope").build()).getMessage().contains("not JSON"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EventSchemas.builder().add("data.X", "1.0", "{}").add("data.X", "1.0", "{}"))
                .getMessage().contains("twice"));
        assertEquals(List.of(), List.copyOf(EventSchemas.none().registered().keySet()));
    }
}
