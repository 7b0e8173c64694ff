package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.InvalidEventException.Code;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCodecTest {
    private static final String ID = "0b7e3c1a-5a4b-4c1e-9d2f-3e4a5b6c7d8e";
    private static final String CORR = "1c8f4d2b-6b5c-4d2f-8e3a-4f5b6c7d8e9f";
    /** What the platform's Node services send: the seven required fields only, canonical order. */
    private static final String MINIMAL = "{\"eventId\":\"" + ID + "\",\"eventType\":\"connector.DataReceived\","
            + "\"eventVersion\":\"1.0\",\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"connector-gw\","
            + "\"correlationId\":\"" + CORR + "\",\"data\":{\"deviceId\":\"d-1\",\"reading\":21.50,\"tags\":[1,2]}}";

    private final EventCodec codec = EventCodec.defaults();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String replace(String from, String to) {
        String out = MINIMAL.replace(from, to);
        assertNotEquals(MINIMAL, out, "test setup: nothing replaced");
        return out;
    }

    @Test
    void decodesTheSevenRequiredFieldsAsSentByExistingServices() {
        EventEnvelope e = codec.decode(utf8(MINIMAL));
        assertEquals(UUID.fromString(ID), e.eventId());
        assertEquals("connector.DataReceived", e.eventType());
        assertEquals("1.0", e.eventVersion());
        assertEquals(Instant.parse("2026-01-01T12:00:00Z"), e.timestamp());
        assertEquals("connector-gw", e.source());
        assertEquals(UUID.fromString(CORR), e.correlationId());
        assertEquals("d-1", e.data().get("deviceId").asText());
        assertNull(e.causationId());
        assertNull(e.tenantId());
        assertNull(e.traceContext());
        assertTrue(e.extensions().isEmpty());
    }

    @Test
    void canonicalBytesRoundTripExactlyIncludingDecimalsAndUnknownFields() {
        String full = MINIMAL.substring(0, MINIMAL.length() - 1) + ",\"causationId\":\"" + ID + "\",\"tenantId\":\"t-9\","
                + "\"traceContext\":{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\","
                + "\"tracestate\":\"k=v\"},\"schemaHint\":{\"x\":[true,null]},\"priority\":7}";
        assertEquals(full, new String(codec.encode(codec.decode(utf8(full))), StandardCharsets.UTF_8));
        assertEquals(MINIMAL, new String(codec.encode(codec.decode(utf8(MINIMAL))), StandardCharsets.UTF_8));
    }

    @Test
    void unknownTopLevelFieldsAreKeptInArrivalOrder() {
        EventEnvelope e = codec.decode(utf8(replace("\"source\"", "\"zeta\":1,\"alpha\":\"a\",\"source\"")));
        assertEquals(java.util.List.of("zeta", "alpha"), java.util.List.copyOf(e.extensions().keySet()));
        EventEnvelope again = codec.decode(codec.encode(e));
        assertEquals(e, again);
        assertEquals("a", again.extensions().get("alpha").asText());
    }

    @Test
    void builtEnvelopeSurvivesEncodeDecode() {
        ObjectNode data = codec.objectMapper().createObjectNode().put("n", 1).put("big", new java.math.BigDecimal("1.000"));
        EventEnvelope e = EventEnvelope.builder().eventType("ai.QueryReceived").source("svc").data(data)
                .tenantId("acme").build();
        assertEquals(e, codec.decode(codec.encode(e)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "eventId not a uuid        | \"eventId\":\"" + ID + "\"                  | \"eventId\":\"abc\"                      | INVALID_FIELD      | eventId",
        "eventId shortened groups  | \"eventId\":\"" + ID + "\"                  | \"eventId\":\"1-1-1-1-1\"                | INVALID_FIELD      | eventId",
        "eventId a number          | \"eventId\":\"" + ID + "\"                  | \"eventId\":42                          | INVALID_FIELD      | eventId",
        "correlationId not a uuid  | \"correlationId\":\"" + CORR + "\"          | \"correlationId\":\"corr-1\"             | INVALID_FIELD      | correlationId",
        "eventType one token       | connector.DataReceived                       | DataReceived                              | INVALID_EVENT_TYPE | eventType",
        "eventType upper domain    | connector.DataReceived                       | Connector.DataReceived                    | INVALID_EVENT_TYPE | eventType",
        "eventType lower name      | connector.DataReceived                       | connector.dataReceived                    | INVALID_EVENT_TYPE | eventType",
        "eventType three tokens    | connector.DataReceived                       | connector.Data.Received                   | INVALID_EVENT_TYPE | eventType",
        "eventType wildcard        | connector.DataReceived                       | connector.*                               | INVALID_EVENT_TYPE | eventType",
        "eventVersion not x.y      | \"1.0\"                                      | \"v1\"                                    | INVALID_FIELD      | eventVersion",
        "timestamp without millis  | 2026-01-01T12:00:00.000Z                     | 2026-01-01T12:00:00Z                      | INVALID_FIELD      | timestamp",
        "timestamp with offset     | 2026-01-01T12:00:00.000Z                     | 2026-01-01T12:00:00.000+01:00             | INVALID_FIELD      | timestamp",
        "timestamp impossible date | 2026-01-01T12:00:00.000Z                     | 2026-02-30T12:00:00.000Z                  | INVALID_FIELD      | timestamp",
        "timestamp epoch number    | \"2026-01-01T12:00:00.000Z\"                 | 1767268800000                             | INVALID_FIELD      | timestamp",
        "source blank              | \"connector-gw\"                             | \"  \"                                    | INVALID_FIELD      | source",
        "source not a string       | \"connector-gw\"                             | [\"a\"]                                   | INVALID_FIELD      | source",
        "data an array             | \"data\":{\"deviceId\"                        | \"data\":[{\"deviceId\"                    | INVALID_FIELD      | data",
        "required field missing    | \"source\":\"connector-gw\",                 | ''                                        | MISSING_FIELD      | source",
        "required field null       | \"connector-gw\"                             | null                                      | INVALID_FIELD      | source",
        "duplicate field           | \"source\":\"connector-gw\",                 | \"source\":\"a\",\"source\":\"b\",        | INVALID_FIELD      | source",
        "bad traceparent           | \"data\":                                    | \"traceContext\":{\"traceparent\":\"x\"},\"data\": | INVALID_FIELD | traceContext.traceparent",
        "traceContext a string     | \"data\":                                    | \"traceContext\":\"x\",\"data\":           | INVALID_FIELD      | traceContext",
        "causationId not a uuid    | \"data\":                                    | \"causationId\":\"x\",\"data\":            | INVALID_FIELD      | causationId",
    })
    void rejectsWithCodeAndField(String name, String from, String to, Code code, String field) {
        InvalidEventException ex = assertThrows(InvalidEventException.class,
                () -> codec.decode(utf8(replace(from.trim(), to.trim()))));
        assertEquals(code, ex.code(), ex.getMessage());
        assertEquals(field, ex.field(), ex.getMessage());
    }

    @Test
    void malformedJsonIsTyped() {
        for (String bad : new String[] {"", "[]", "\"x\"", "{\"eventId\":", MINIMAL + "{}", MINIMAL + " x"}) {
            InvalidEventException ex = assertThrows(InvalidEventException.class, () -> codec.decode(utf8(bad)), bad);
            assertEquals(Code.MALFORMED_JSON, ex.code(), bad);
        }
    }

    @Test
    void payloadOverTheLimitIsRejectedOnDecodeAndEncode() {
        EventCodec small = EventCodec.builder().maxPayloadBytes(MINIMAL.length() - 1).build();
        assertEquals(Code.PAYLOAD_TOO_LARGE,
                assertThrows(InvalidEventException.class, () -> small.decode(utf8(MINIMAL))).code());
        EventEnvelope e = codec.decode(utf8(MINIMAL));
        assertEquals(Code.PAYLOAD_TOO_LARGE, assertThrows(InvalidEventException.class, () -> small.encode(e)).code());
        EventCodec exact = EventCodec.builder().maxPayloadBytes(MINIMAL.length()).build();
        assertEquals(e, exact.decode(exact.encode(e)));
    }

    @Test
    void builderRejectsNonPositiveLimitNamingTheField() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> EventCodec.builder().maxPayloadBytes(0).build());
        assertTrue(ex.getMessage().contains("maxPayloadBytes"), ex.getMessage());
    }

    @Test
    void nullOptionalFieldsCountAsAbsent() {
        EventEnvelope e = codec.decode(utf8(replace("\"data\":", "\"causationId\":null,\"tenantId\":null,\"traceContext\":null,\"data\":")));
        assertNull(e.causationId());
        assertNull(e.tenantId());
        assertNull(e.traceContext());
    }

    @Test
    void decodedPayloadIsKeptAsReceivedAndParsedOnDemand() {
        String spaced = replace("\"data\":{\"deviceId\":\"d-1\",", "\"data\": { \"deviceId\" : \"d-1\" ,");
        EventEnvelope e = codec.decode(utf8(spaced));
        assertEquals("{ \"deviceId\" : \"d-1\" ,\"reading\":21.50,\"tags\":[1,2]}", e.dataJson());
        assertEquals("21.50", e.data().get("reading").toString(), "decimals keep their written form");
        assertEquals(spaced.replace("\"data\": {", "\"data\":{"), new String(codec.encode(e), StandardCharsets.UTF_8),
                "payload bytes are written back as received; only the envelope around them is canonical");
        assertEquals(e, e.toBuilder().build());
        assertEquals(codec.decode(utf8(MINIMAL)), e, "equality compares payload content, not spacing");
    }

    @Test
    void malformedPayloadInsideDataIsRejectedAtDecode() {
        InvalidEventException ex = assertThrows(InvalidEventException.class,
                () -> codec.decode(utf8(replace("\"tags\":[1,2]", "\"tags\":[1,2"))));
        assertEquals(Code.MALFORMED_JSON, ex.code());
    }

    @Test
    void decodesAnOffsetSlice() {
        byte[] framed = utf8("xx" + MINIMAL + "yy");
        assertEquals(codec.decode(utf8(MINIMAL)), codec.decode(framed, 2, framed.length - 4));
    }
}
