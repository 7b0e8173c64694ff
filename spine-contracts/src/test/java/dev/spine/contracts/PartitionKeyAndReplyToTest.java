package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.InvalidEventException.Code;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PartitionKeyAndReplyToTest {
    private static final EventCodec CODEC = EventCodec.defaults();
    private static final String ID = "0b5e3c1e-8a4e-4f4c-9d0a-3f1a2b3c4d5e";
    private static final String HEAD = "{\"eventId\":\"" + ID + "\",\"eventType\":\"ai.QueryReceived\",\"eventVersion\":\"1.0\","
            + "\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"s\",\"correlationId\":\"" + ID + "\",\"data\":{}";

    @Test
    void bothRoundTripAndCanonicalBytesComeBackUnchanged() {
        EventEnvelope e = EventEnvelope.builder().eventType("ai.QueryReceived").source("s")
                .data(JsonNodeFactory.instance.objectNode()).partitionKey("conversation-7").replyTo("ai.QueryAnswered").build();
        assertEquals("conversation-7", e.partitionKey());
        assertEquals("ai.QueryAnswered", e.replyTo());
        byte[] wire = CODEC.encode(e);
        EventEnvelope back = CODEC.decode(wire);
        assertEquals(e, back);
        assertEquals("conversation-7", back.partitionKey());
        assertArrayEquals(wire, CODEC.encode(back));
        String canonical = HEAD + ",\"partitionKey\":\"k\",\"replyTo\":\"ai.QueryAnswered\"}";
        assertEquals(canonical, new String(CODEC.encode(CODEC.decode(canonical.getBytes(StandardCharsets.UTF_8))),
                StandardCharsets.UTF_8));
    }

    @Test
    void absentOrNullMeansNone() {
        EventEnvelope plain = CODEC.decode((HEAD + "}").getBytes(StandardCharsets.UTF_8));
        assertNull(plain.partitionKey());
        assertNull(plain.replyTo());
        EventEnvelope nulls = CODEC.decode((HEAD + ",\"partitionKey\":null,\"replyTo\":null}").getBytes(StandardCharsets.UTF_8));
        assertNull(nulls.partitionKey());
        assertEquals(plain, nulls);
        assertNull(plain.toBuilder().partitionKey("x").partitionKey(null).build().partitionKey());
    }

    @Test
    void wrongTypesAreRefusedNamingTheField() {
        for (String bad : new String[] {",\"partitionKey\":42", ",\"partitionKey\":\"\"", ",\"partitionKey\":{}"}) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> CODEC.decode((HEAD + bad + "}").getBytes(StandardCharsets.UTF_8)));
            assertEquals(Code.INVALID_FIELD, e.code());
            assertEquals("partitionKey", e.field());
        }
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> CODEC.decode((HEAD + ",\"replyTo\":\"not a type\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals("replyTo", e.field());
        assertThrows(InvalidEventException.class, () -> EventEnvelope.builder().eventType("ai.QueryReceived").source("s")
                .data(JsonNodeFactory.instance.objectNode()).partitionKey("x".repeat(257)).build());
    }

    @Test
    void aReplyIsAFollowUpOfTheCommand() {
        EventEnvelope command = EventEnvelope.builder().eventType("ai.QueryReceived").source("ui")
                .data(JsonNodeFactory.instance.objectNode()).replyTo("ai.QueryAnswered").build();
        EventEnvelope answer = command.followUp(command.replyTo()).source("llm")
                .data(JsonNodeFactory.instance.objectNode().put("answer", 42)).build();
        assertEquals("ai.QueryAnswered", answer.eventType());
        assertEquals(command.correlationId(), answer.correlationId());
        assertEquals(command.eventId(), answer.causationId());
        assertNull(answer.replyTo(), "the answer asks for no answer itself");
    }
}
