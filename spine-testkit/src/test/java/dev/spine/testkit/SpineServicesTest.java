package dev.spine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Connection;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class SpineServicesTest {

    @Test
    void givesEachParameterItsOwnSchemaOnARealServer(TestDatabase a, TestDatabase b) {
        assertNotEquals(a.schema(), b.schema());
        a.execute("create schema " + a.schema());
        a.execute("create table " + a.schema() + ".t (x int)");
        a.execute("insert into " + a.schema() + ".t values (1), (2)");
        assertEquals(2, a.queryLong("select count(*) from " + a.schema() + ".t"));
        assertEquals(0, b.queryLong("select count(*) from information_schema.schemata where schema_name = '"
                + b.schema() + "'"));
    }

    @Test
    void dropsTheSchemaOnClose(TestDatabase probe) {
        TestDatabase db = new TestDatabase(probe.url(), "drop");
        db.execute("create schema " + db.schema());
        db.close();
        assertEquals(0, probe.queryLong("select count(*) from information_schema.schemata where schema_name = '"
                + db.schema() + "'"));
    }

    @Test
    void deletesTheTestsStreamsOnClose(TestNats probe) throws Exception {
        TestNats nats = new TestNats(probe.url());
        Connection c = nats.connect();
        String stream = nats.prefix() + "_S";
        c.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream)
                .subjects(nats.prefix() + ".>").build());
        nats.close();
        assertTrue(probe.connect().jetStreamManagement().getStreamNames().stream().noneMatch(stream::equals));
    }

    @Test
    void settableClockMovesOnlyWhenTold() {
        SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), clock.instant());
        clock.advance(Duration.ofSeconds(90));
        assertEquals(Instant.parse("2026-01-01T00:01:30Z"), clock.instant());
    }

    @Test
    void eventuallyFailsWithWhatItAwaited() {
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> Eventually.await("the moon", Duration.ofMillis(20), () -> false));
        assertTrue(e.getMessage().contains("the moon"));
    }
}
