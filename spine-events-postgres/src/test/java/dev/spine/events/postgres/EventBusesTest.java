package dev.spine.events.postgres;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.events.EventBus;
import dev.spine.events.InMemoryEventBus;
import dev.spine.events.postgres.EventBuses.Kind;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class EventBusesTest {

    @Test
    void spineEventBusNamesTheBackendAndNatsIsTheDefault() {
        assertEquals(Kind.NATS, Kind.parse(null));
        assertEquals(Kind.NATS, Kind.parse(" "));
        assertEquals(Kind.POSTGRES, Kind.parse("Postgres"));
        assertEquals(Kind.IN_MEMORY, Kind.parse("in-memory"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kind.parse("kafka"));
        assertTrue(e.getMessage().startsWith("SPINE_EVENT_BUS") && e.getMessage().contains("kafka"), e.getMessage());
    }

    @Test
    void theEnvironmentPicksTheBackend(TestDatabase db) {
        try (EventBus memory = EventBuses.fromEnvironment(Map.of("SPINE_EVENT_BUS", "in-memory"), null)) {
            assertInstanceOf(InMemoryEventBus.class, memory);
        }
        try (EventBus pg = EventBuses.fromEnvironment(Map.of("SPINE_EVENT_BUS", "postgres",
                "SPINE_EVENT_BUS_SCHEMA", db.schema()), db.dataSource())) {
            assertInstanceOf(PostgresEventBus.class, pg);
            assertEquals(1, db.queryLong("select count(*) from information_schema.tables where table_schema = '"
                    + db.schema() + "' and table_name = 'domain_events'"));
        }
    }
}
