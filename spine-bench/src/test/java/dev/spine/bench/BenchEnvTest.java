package dev.spine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spine.contracts.ConfigException;
import dev.spine.events.NatsConnections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bench reads NATS like every entry point, and refuses what it cannot honour by name. */
class BenchEnvTest {
    @Test
    void credentialsAreHonouredAndStreamSettingsItCannotHonourAreRefused() {
        BenchEnv env = BenchEnv.from(Map.of("SPINE_NATS_URL", "nats://10.0.0.1:4222", "SPINE_NATS_TOKEN", "t0k")::get);
        assertEquals(NatsConnections.Auth.TOKEN, env.nats().connections().auth());
        assertEquals("t0k", env.serviceVariables(Map.of()).get("SPINE_NATS_TOKEN"), "its job services get them too");
        for (String name : BenchEnv.NOT_HONOURED) {
            ConfigException e = assertThrows(ConfigException.class, () -> BenchEnv.from(Map.of(name, "x")::get));
            assertEquals(name, e.variable());
        }
    }
}
