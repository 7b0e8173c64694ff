package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fast path must agree with the general reader on everything it accepts, and decline the rest. */
class CanonicalScannerTest {
    private final EventCodec codec = EventCodec.defaults();
    private final CanonicalScanner scanner = new CanonicalScanner(codec.objectMapper());
    private final EnvelopeReader general = new EnvelopeReader(codec.objectMapper(), EventCodec.DEFAULT_MAX_PAYLOAD_BYTES);

    private List<EventEnvelope> samples() {
        List<EventEnvelope> out = new ArrayList<>();
        ObjectNode data = codec.objectMapper().createObjectNode().put("s", "a \"quoted\" \u00e9 \\ value").put("n", 1.50)
                .put("i", 7);
        data.putArray("list").add(1).addObject().put("deep", true);
        TraceContext trace = TraceContext.of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        out.add(EventEnvelope.builder().eventType("connector.DataReceived").source("gw").data(data).build());
        out.add(EventEnvelope.builder().eventType("ai.QueryReceived").eventVersion("12.3").source("svc a")
                .data(codec.objectMapper().createObjectNode()).causationId(UUID.randomUUID()).build());
        out.add(EventEnvelope.builder().eventType("rule.RuleFired").source("r").data(data).tenantId("t-1")
                .traceContext(trace).build());
        out.add(EventEnvelope.builder().eventType("rule.RuleFired").source("r").data(data).causationId(UUID.randomUUID())
                .tenantId("t").traceContext(new TraceContext(trace.traceparent(), "k=v,x=y")).build());
        ObjectNode ascii = codec.objectMapper().createObjectNode().put("q", "say \"hi\"\\ \t/ \u0001")
                .put("neg", -0.5e-3).put("zero", 0).put("big", 12345678901234567L).putNull("nothing").put("yes", true);
        ascii.putArray("empty");
        ascii.putObject("nested").putArray("deep").addArray().add(false).addObject();
        out.add(EventEnvelope.builder().eventType("data.EntityCreated").source("s").data(ascii).build());
        return out;
    }

    @Test
    void skipperVouchesOnlyForWellFormedJson() {
        for (String ok : List.of("{}", "{\"a\":1}", "{ \"a\" : [ 1 , -2.5E+3 , \"x\\u00e9\" ] , \"b\":{}}", "[]",
                "{\"a\":null,\"b\":true,\"c\":false,\"d\":0.0}")) {
            byte[] b = ok.getBytes(StandardCharsets.UTF_8);
            assertEquals(b.length, JsonSkipper.skipValue(b, 0, b.length), ok);
        }
        for (String bad : List.of("{", "{\"a\":}", "{\"a\":01}", "{\"a\":[1,]}", "{\"a\" 1}", "{\"a\":tru}",
                "{\"a\":\"\\x\"}", "{\"a\":1,}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}", "{a:1}",
                "{\"a\":\"é\"}", "{\"a\":\"tab	here\"}", "{\"a\":\"\\u12g4\"}")) {
            byte[] b = bad.getBytes(StandardCharsets.UTF_8);
            assertEquals(-1, JsonSkipper.skipValue(b, 0, b.length), bad);
        }
        String deep = "[".repeat(JsonSkipper.MAX_DEPTH + 5) + "]".repeat(JsonSkipper.MAX_DEPTH + 5);
        byte[] d = deep.getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, JsonSkipper.skipValue(d, 0, d.length), "too deep: left to the general reader");
    }

    @Test
    void canonicalEncodingsTakeTheFastPathAndAgreeWithTheGeneralReader() {
        for (EventEnvelope e : samples()) {
            byte[] bytes = codec.encode(e);
            EventEnvelope fast = scanner.tryRead(bytes, 0, bytes.length);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.chars().anyMatch(c -> c > 0x7e)) {
                assertNull(fast, "non-ASCII payloads are left to the general reader");
                fast = codec.decode(bytes);
            }
            assertNotNull(fast, "canonical ASCII form must take the fast path: " + text);
            assertEquals(general.readGeneral(bytes, 0, bytes.length), fast);
            assertEquals(e, fast);
            assertArrayEquals(bytes, codec.encode(fast));
        }
    }

    @Test
    void everythingElseIsDeclinedSoTheGeneralReaderDecides() {
        EventEnvelope e = samples().get(2);
        String canonical = new String(codec.encode(e), StandardCharsets.UTF_8);
        List<String> variants = List.of(
                canonical.replace("\"source\":\"r\"", "\"source\":\"r\u00e9\""),      // non-ASCII
                canonical.replace("\"source\":\"r\"", "\"source\":\"r\\n\""),         // escape
                canonical.replace(",\"eventType\"", ", \"eventType\""),              // whitespace
                canonical.replace("}", "}").replace("\"tenantId\"", "\"zz\":1,\"tenantId\""), // extension
                canonical.replace("rule.RuleFired", "rule.ruleFired"),               // invalid type
                canonical.replace("\"tenantId\":\"t-1\"", "\"tenantId\":\"\""),       // invalid tenant
                canonical.substring(0, canonical.length() - 1),                     // truncated
                canonical + " ",                                                    // trailing
                canonical.replace("\"data\":{", "\"data\":[{").replace(",\"tenantId\"", "],\"tenantId\"")); // non-object
        for (String v : variants) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            EventEnvelope fast = scanner.tryRead(bytes, 0, bytes.length);
            if (fast != null) {
                assertEquals(general.readGeneral(bytes, 0, bytes.length), fast, v);
            }
        }
        byte[] nonAscii = variants.get(0).getBytes(StandardCharsets.UTF_8);
        assertNull(scanner.tryRead(nonAscii, 0, nonAscii.length));
        assertEquals("r\u00e9", codec.decode(nonAscii).source(), "declined input still decodes through the general path");
        byte[] invalid = variants.get(4).getBytes(StandardCharsets.UTF_8);
        assertNull(scanner.tryRead(invalid, 0, invalid.length));
        assertEquals(InvalidEventException.Code.INVALID_EVENT_TYPE,
                assertThrows(InvalidEventException.class, () -> codec.decode(invalid)).code());
    }
}
