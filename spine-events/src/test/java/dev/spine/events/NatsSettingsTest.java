package dev.spine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.Domains;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader of NATS settings: domains as configuration, and every bad value naming its variable. */
class NatsSettingsTest {

    @Test
    void defaultsAreTheLocalServerAndThePlatformDomains() {
        NatsSettings s = NatsSettings.from(name -> null);
        assertEquals(NatsSettings.DEFAULT_URL, s.url());
        assertEquals(Domains.defaults(), s.topology().domains());
        assertEquals(1, s.replicas());
        assertEquals(NatsConnections.Auth.NONE, s.connections().auth());
    }

    @Test
    void domainsComeFromTheListOrTheFile(@TempDir Path dir) throws Exception {
        NatsSettings listed = NatsSettings.from(Map.of("SPINE_DOMAINS", "connector, billing", "SPINE_SUBJECT_PREFIX",
                "events.", "SPINE_STREAM_REPLICAS", "3")::get);
        assertEquals(List.of("events.connector.*", "events.billing.*"), listed.topology().platformSubjects());
        assertEquals(3, listed.topology().replicas());

        Path file = Files.writeString(dir.resolve("domains"), "# the platform's, and ours\nconnector\n\nbilling  # invoices\n");
        NatsSettings filed = NatsSettings.from(Map.of("SPINE_DOMAINS_FILE", file.toString())::get);
        assertEquals(Domains.of("connector", "billing"), filed.topology().domains());
        assertEquals(file.toString(), filed.asVariables().get("SPINE_DOMAINS_FILE"));
        assertEquals(filed.asVariables(), NatsSettings.from(filed.asVariables()::get).asVariables(),
                "asVariables is the inverse of from");
        assertEquals(listed.topology().domains(), NatsSettings.from(listed.asVariables()::get).topology().domains());
    }

    @Test
    void aBadValueNamesItsVariable(@TempDir Path dir) {
        assertVariable("SPINE_DOMAINS", Map.of("SPINE_DOMAINS", "connector,Billing"));
        assertVariable("SPINE_DOMAINS", Map.of("SPINE_DOMAINS", "connector,,data"));
        assertVariable("SPINE_DOMAINS_FILE", Map.of("SPINE_DOMAINS_FILE", dir.resolve("none").toString()));
        assertVariable("SPINE_DOMAINS_FILE", Map.of("SPINE_DOMAINS", "billing", "SPINE_DOMAINS_FILE", "x"));
        assertVariable("SPINE_STREAM_REPLICAS", Map.of("SPINE_STREAM_REPLICAS", "7"));
        assertVariable("SPINE_SUBJECT_PREFIX", Map.of("SPINE_SUBJECT_PREFIX", "events"));
        assertVariable("SPINE_STREAM_PREFIX", Map.of("SPINE_STREAM_PREFIX", "a.b"));
        assertVariable("SPINE_NATS_CREDS_FILE", Map.of("SPINE_NATS_CREDS_FILE", dir.resolve("missing.creds").toString()));
        assertVariable("SPINE_NATS_URL", Map.of("SPINE_NATS_URL", "127.0.0.1:4222"));
    }

    private static void assertVariable(String variable, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> NatsSettings.from(env::get));
        assertEquals(variable, e.variable(), e.getMessage());
        assertTrue(e.getMessage().startsWith(variable + ": "), e.getMessage());
    }
}
