package dev.spine.service;

import dev.spine.contracts.ConfigException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {
    @Test
    void everyTierHasItsWorkersVariableAndTheTableCannotBeChanged() {
        for (dev.spine.contracts.JobTier tier : dev.spine.contracts.JobTier.values()) {
            String name = WorkerSettings.threadsVariable(tier);
            assertTrue(ServiceConfig.VARIABLES.containsKey(name), name + " is listed");
            assertEquals(7, ServiceConfig.defaults().with(Map.of(name, "7")).workers(tier), name + " is read");
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ServiceConfig.defaults().with(Map.of(name, "0")));
            assertEquals(name, e.variable());
        }
        assertEquals(16, ServiceConfig.defaults().workers(dev.spine.contracts.JobTier.REALTIME));
        assertThrows(UnsupportedOperationException.class, () -> ServiceConfig.VARIABLES.remove("SPINE_PG_URL"));
    }

    @Test
    void eachConcernReadsItsVariablesAndTheWholeRoundTrips() {
        ServiceConfig c = ServiceConfig.defaults().with(Map.of("SPINE_PG_SCHEMA", "s1", "SPINE_BATCH_SIZE", "7",
                "SPINE_SUBJECT_PREFIX", "p.", "SPINE_WORKER_STALE_AFTER", "12s", "SPINE_STREAM_REPLICAS", "3",
                "SPINE_DOMAINS", "connector,data,job,billing"));
        assertEquals("s1", c.postgres().schema());
        assertEquals(7, c.ingest().batchSize());
        assertEquals("p.", c.nats().subjectPrefix());
        assertEquals(3, c.topology().replicas());
        assertEquals(java.util.List.of("p.connector.*", "p.data.*", "p.job.*", "p.billing.*"), c.topology().platformSubjects(),
                "the streams the service provisions have the configured domains");
        assertEquals(java.time.Duration.ofSeconds(12), c.workers().staleAfter());
        assertTrue(c.workers().vacuumHotTable(), "a working process vacuums the hot table unless told not to");
        assertEquals(false, c.with(Map.of("SPINE_VACUUM_HOT_TABLE", "false")).workers().vacuumHotTable());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> c.with(Map.of("SPINE_VACUUM_HOT_TABLE", "sometimes")));
        assertEquals("SPINE_VACUUM_HOT_TABLE", bad.variable());
        assertEquals(c.asVariables(), ServiceConfig.from(c.asVariables()::get).asVariables());
        for (String name : c.asVariables().keySet()) {
            assertTrue(ServiceConfig.VARIABLES.containsKey(name), name + " is in the table --help prints");
        }
    }
}
