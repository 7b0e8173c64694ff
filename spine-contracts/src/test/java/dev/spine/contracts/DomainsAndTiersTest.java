package dev.spine.contracts;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.contracts.InvalidEventException.Code;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainsAndTiersTest {
    @Test
    void defaultsAreThePlatformDomains() {
        assertEquals(List.of("connector", "communication", "data", "rule", "job", "ai", "system"),
                List.copyOf(Domains.defaults().names()));
        Domains.defaults().require("communication.MessageSent");
    }

    @Test
    void unknownDomainIsRejectedNamingEventType() {
        InvalidEventException ex = assertThrows(InvalidEventException.class,
                () -> Domains.defaults().require("billing.InvoicePaid"));
        assertEquals(Code.UNKNOWN_DOMAIN, ex.code());
        assertEquals("eventType", ex.field());
        assertTrue(ex.getMessage().contains("billing"), ex.getMessage());
        // a prefix of a known domain is not that domain
        assertEquals(Code.UNKNOWN_DOMAIN, assertThrows(InvalidEventException.class,
                () -> Domains.defaults().require("conn.DataReceived")).code());
        assertEquals(Code.INVALID_EVENT_TYPE, assertThrows(InvalidEventException.class,
                () -> Domains.defaults().require("connector")).code());
    }

    @Test
    void registeringReturnsANewRegistryAndLeavesDefaultsAlone() {
        Domains more = Domains.defaults().with("billing");
        more.require("billing.InvoicePaid");
        assertFalse(Domains.defaults().contains("billing"));
        assertEquals(8, more.names().size());
        assertEquals(Domains.of("a1", "b"), Domains.of("a1").with("b"));
        assertEquals(Code.INVALID_DOMAIN, assertThrows(InvalidEventException.class,
                () -> Domains.defaults().with("Billing")).code());
        assertThrows(InvalidEventException.class, () -> Domains.defaults().with("bill.ing"));
        assertThrows(InvalidEventException.class, () -> Domains.defaults().with("1x"));
    }

    @Test
    void eventTypeParsesDomainAndName() {
        EventType t = EventType.parse("connector.DataReceived");
        assertEquals("connector", t.domain());
        assertEquals("DataReceived", t.name());
        assertEquals("connector.DataReceived", t.toString());
        assertTrue(EventType.isValid("ai.QueryReceived"));
        assertFalse(EventType.isValid("ai.query_received"));
        assertFalse(EventType.isValid(".Query"));
        assertFalse(EventType.isValid(null));
        assertEquals(Code.INVALID_EVENT_TYPE, assertThrows(InvalidEventException.class,
                () -> new EventType("ai", "q")).code());
    }

    @Test
    void tiersHaveQueuesAndTargets() {
        assertEquals("realtime", JobTier.REALTIME.queueName());
        assertEquals(Duration.ofMillis(100), JobTier.REALTIME.latencyTarget());
        assertEquals("interactive", JobTier.INTERACTIVE.queueName());
        assertEquals(Duration.ofSeconds(5), JobTier.INTERACTIVE.latencyTarget());
        assertEquals("background", JobTier.BACKGROUND.queueName());
        assertFalse(JobTier.BACKGROUND.hasLatencyTarget());
        assertEquals(JobTier.INTERACTIVE, JobTier.fromName(" Interactive "));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> JobTier.fromName("urgent"));
        assertTrue(ex.getMessage().contains("urgent"));
    }
}
