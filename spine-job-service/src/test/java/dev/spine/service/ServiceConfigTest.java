package dev.spine.service;

import dev.spine.contracts.ConfigException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    @Test
    void anEventBusOtherThanNatsIsRefusedWithTheVariablesName() {
        ConfigException e = assertThrows(ConfigException.class, () ->
                ServiceConfig.defaults().with(Map.of("SPINE_EVENT_BUS", "postgres")));
        assertEquals("SPINE_EVENT_BUS", e.variable());
        assertTrue(e.getMessage().contains("'postgres'"), e.getMessage());
        // nats, or unset, is what the job service runs on
        assertEquals(ServiceConfig.defaults().natsUrl(),
                ServiceConfig.defaults().with(Map.of("SPINE_EVENT_BUS", "nats")).natsUrl());
    }

    @Test
    void everyTierHasItsWorkersVariableAndTheTableCannotBeChanged() {
        for (dev.spine.contracts.JobTier tier : dev.spine.contracts.JobTier.values()) {
            String name = ServiceConfig.workersVariable(tier);
            assertTrue(ServiceConfig.VARIABLES.containsKey(name), name + " is listed");
            assertEquals(7, ServiceConfig.defaults().with(Map.of(name, "7")).workers(tier), name + " is read");
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ServiceConfig.defaults().with(Map.of(name, "0")));
            assertEquals(name, e.variable());
        }
        assertEquals(16, ServiceConfig.defaults().workers(dev.spine.contracts.JobTier.REALTIME));
        assertThrows(UnsupportedOperationException.class, () -> ServiceConfig.VARIABLES.remove("SPINE_PG_URL"));
    }
}
