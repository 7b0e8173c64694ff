package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.ConfigException;
import dev.spine.gateway.http.ApiException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bus's pure rules: filters, patterns, webhook targets, signatures, settings. */
class BusRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DataFilter filter(String json) throws Exception {
        return SubscriptionRequests.filter(JSON.readTree(json), "filters[0]");
    }

    private static ObjectNode data(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void filtersCompareJsonValuesAndTreatMissingFieldsStrictly() throws Exception {
        DataFilter urgent = filter("{\"field\":\"priority\",\"op\":\"in\",\"values\":[\"high\",\"critical\"]}");
        assertTrue(urgent.test(data("{\"priority\":\"critical\"}")));
        assertFalse(urgent.test(data("{\"priority\":\"low\"}")));
        assertFalse(urgent.test(data("{}")));
        DataFilter gold = filter("{\"field\":\"customer.tier\",\"op\":\"eq\",\"value\":\"gold\"}");
        assertTrue(gold.test(data("{\"customer\":{\"tier\":\"gold\"}}")));
        assertFalse(gold.test(data("{\"customer\":\"gold\"}")));
        DataFilter big = filter("{\"field\":\"amount\",\"op\":\"gte\",\"value\":100}");
        assertTrue(big.test(data("{\"amount\":100.0}")), "numbers compare by value");
        assertFalse(big.test(data("{\"amount\":99}")));
        assertFalse(big.test(data("{\"amount\":\"500\"}")), "a string is not a number");
        DataFilter small = filter("{\"field\":\"amount\",\"op\":\"lt\",\"value\":10}");
        assertFalse(small.test(data("{\"amount\":\"1\"}")), "incomparable values never match");
        assertTrue(small.test(data("{\"amount\":9}")));
        assertTrue(filter("{\"field\":\"p\",\"op\":\"notIn\",\"values\":[1]}").test(data("{}")));
        assertTrue(filter("{\"field\":\"p\",\"op\":\"ne\",\"value\":1}").test(data("{}")));
        assertTrue(filter("{\"field\":\"p\",\"op\":\"exists\"}").test(data("{\"p\":0}")));
        assertFalse(filter("{\"field\":\"p\",\"op\":\"exists\"}").test(data("{\"p\":null}")));
        assertFalse(filter("{\"field\":\"n\",\"op\":\"eq\",\"value\":1}").test(data("{\"n\":\"1\"}")));
        ApiException bad = assertThrows(ApiException.class, () -> filter("{\"field\":\"a..b\",\"op\":\"eq\",\"value\":1}"));
        assertEquals("filters[0].field", bad.details().get("field"));
        JsonNode roundTrip = JSON.valueToTree(urgent.toJson());
        assertEquals(urgent, SubscriptionRequests.filter(roundTrip, "f"));
    }

    @Test
    void typePatternsMatchOneDomainOrOneType() {
        assertTrue(EventTypes.matches("rule.*", "rule.TicketOpened"));
        assertFalse(EventTypes.matches("rule.*", "ruler.TicketOpened"));
        assertFalse(EventTypes.matches("rule.*", "data.TicketOpened"));
        assertTrue(EventTypes.matches("rule.TicketOpened", "rule.TicketOpened"));
        assertFalse(EventTypes.matches("rule.TicketOpened", "rule.TicketClosed"));
        assertTrue(EventTypes.isPattern("data.*"));
        assertFalse(EventTypes.isPattern("*"));
        assertFalse(EventTypes.isPattern("data.orderPlaced"));
    }

    @Test
    void webhooksToInternalAddressesAreRefusedUnlessAllowed() {
        WebhookTargets strict = new WebhookTargets(WebhookAllowList.none());
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("http://127.0.0.1/h", "TARGET_LOOPBACK");
        refused.put("http://localhost:8080/h", "TARGET_LOOPBACK");
        refused.put("http://10.1.2.3/h", "TARGET_PRIVATE");
        refused.put("http://172.16.0.1/h", "TARGET_PRIVATE");
        refused.put("http://192.168.1.1/h", "TARGET_PRIVATE");
        refused.put("http://169.254.169.254/latest/meta-data", "TARGET_LINK_LOCAL");
        refused.put("http://100.64.0.1/h", "TARGET_PRIVATE");
        refused.put("http://0.0.0.0/h", "TARGET_UNSPECIFIED");
        refused.put("http://[::]/h", "TARGET_UNSPECIFIED");
        refused.put("http://[::1]/h", "TARGET_LOOPBACK");
        refused.put("http://[fd00::1]/h", "TARGET_PRIVATE");
        refused.put("http://[fe80::1]/h", "TARGET_LINK_LOCAL");
        refused.put("http://224.0.0.1/h", "TARGET_MULTICAST");
        refused.put("http://[::ffff:127.0.0.1]/h", "TARGET_LOOPBACK");
        refused.forEach((url, code) -> {
            WebhookTargets.Refusal r = strict.refusal(URI.create(url));
            assertNotNull(r, url);
            assertEquals(code, r.code(), url + ": " + r);
        });
        assertNull(strict.refusal(URI.create("https://93.184.216.34/hook")), "a public address is fine");
        assertEquals("INVALID_FIELD", strict.refusal(URI.create("file:///etc/passwd")).code());
        assertEquals("INVALID_FIELD", strict.refusal(URI.create("http://user:pw@93.184.216.34/h")).code());
    }

    @Test
    void theAllowListOpensOnlyWhatItNames() {
        WebhookTargets allowed = new WebhookTargets(WebhookAllowList.parse("127.0.0.1, 10.20.0.0/16, fd00::/8, hooks.internal"),
                host -> host.equals("hooks.internal") ? new java.net.InetAddress[] {java.net.InetAddress.getByName("10.99.0.1")}
                        : java.net.InetAddress.getAllByName(host));
        assertNull(allowed.refusal(URI.create("http://127.0.0.1:9/h")));
        assertNull(allowed.refusal(URI.create("http://10.20.3.4/h")));
        assertNull(allowed.refusal(URI.create("http://[fd12::1]/h")));
        assertNull(allowed.refusal(URI.create("http://hooks.internal/h")), "named by host");
        assertEquals("TARGET_PRIVATE", allowed.refusal(URI.create("http://10.21.0.1/h")).code(), "outside the block");
        assertEquals("TARGET_LOOPBACK", allowed.refusal(URI.create("http://127.0.0.2/h")).code());
        assertEquals("TARGET_LINK_LOCAL", allowed.refusal(URI.create("http://169.254.169.254/h")).code());
        for (String bad : List.of("10.0.0.0/33", "10.0.0.0/x", "bad_host", "10.0.0.1,,10.0.0.2", "::1/200")) {
            ConfigException e = assertThrows(ConfigException.class, () -> WebhookAllowList.parse(bad), bad);
            assertEquals("SPINE_BUS_WEBHOOK_ALLOW", e.variable());
        }
    }

    @Test
    void aNameIsRefusedWhenAnyOfItsAddressesIsInternal() {
        // one public and one internal answer, as a rebinding resolver may give: the name is refused, so no
        // connection can be made to the internal one whichever the sender would pick
        WebhookTargets targets = new WebhookTargets(WebhookAllowList.none(), host -> new java.net.InetAddress[] {
                java.net.InetAddress.getByName("93.184.216.34"), java.net.InetAddress.getByName("169.254.169.254")});
        WebhookTargets.Refusal r = targets.refusal(URI.create("https://rebind.example/h"));
        assertEquals("TARGET_LINK_LOCAL", r.code(), String.valueOf(r));
        assertTrue(r.message().contains("169.254.169.254"), r.message());
    }

    @Test
    void aSignatureVerifiesOnlyWithTheSecretTheBodyAndInTime() {
        byte[] body = "{\"eventId\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        String header = WebhookSignature.sign("whsec_a", now, body);
        assertTrue(header.matches("t=\\d+,v1=[0-9a-f]{64}"), header);
        assertTrue(WebhookSignature.verify("whsec_a", header, body, now.plusSeconds(60), Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify("whsec_b", header, body, now, Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify("whsec_a", header, "{}".getBytes(StandardCharsets.UTF_8), now,
                Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify("whsec_a", header, body, now.plusSeconds(600), Duration.ofMinutes(5)),
                "an old capture is refused");
        assertFalse(WebhookSignature.verify("whsec_a", "garbage", body, now, Duration.ofMinutes(5)));
    }

    @Test
    void settingsHaveDefaultsAndABadValueNamesItsVariable() {
        GatewayConfig defaults = GatewayConfig.from(name -> null);
        assertTrue(defaults.enabled());
        assertTrue(defaults.eventStore());
        assertEquals(WebhookAllowList.none(), defaults.webhookAllow());
        ConfigException replaced = assertThrows(ConfigException.class,
                () -> GatewayConfig.from(Map.of("SPINE_BUS_WEBHOOK_ALLOW_PRIVATE", "true")::get));
        assertEquals("SPINE_BUS_WEBHOOK_ALLOW_PRIVATE", replaced.variable(), "a replaced switch is not ignored");
        assertEquals(Duration.ofSeconds(10), defaults.webhookTimeout());
        assertEquals(Duration.ofDays(30), defaults.retention());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16)), defaults.backoffFor(6), "exponential: one delay per retry");
        GatewayConfig capped = GatewayConfig.from(Map.of("SPINE_BUS_WEBHOOK_BACKOFF", "1m", "SPINE_BUS_WEBHOOK_BACKOFF_MAX",
                "3m")::get);
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(3)), capped.backoffFor(4));
        assertEquals(defaults, GatewayConfig.from(defaults.asVariables()::get), "variables round-trip");
        for (Map.Entry<String, String> bad : Map.of("SPINE_BUS_EVENT_STORE", "yes", "SPINE_BUS_WEBHOOK_TIMEOUT", "0s",
                "SPINE_BUS_MAX_EVENT_BYTES", "10", "SPINE_BUS_PARTITION_KEYS", "data.id",
                "SPINE_BUS_WEBHOOK_BACKOFF_MAX", "1ms", "SPINE_BUS_STORE_CONSUMER", "a.b",
                "SPINE_BUS_WEBHOOK_ALLOW", "10.0.0.0/40").entrySet()) {
            ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.from(Map.of(bad.getKey(),
                    bad.getValue())::get));
            assertEquals(bad.getKey(), e.variable());
        }
    }
}
