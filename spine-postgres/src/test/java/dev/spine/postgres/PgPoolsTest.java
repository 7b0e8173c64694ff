package dev.spine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class PgPoolsTest {
    @Test
    void aPoolFromTheSettings(TestDatabase db) throws Exception {
        try (HikariDataSource pool = PgPools.create(PoolSettings.of(db.url(), 3, "pools-test").withMinimumIdle(0))) {
            assertEquals(3, pool.getMaximumPoolSize());
            assertEquals(0, pool.getMinimumIdle());
            assertEquals("pools-test", pool.getPoolName());
            assertEquals(PoolSettings.DEFAULT_CONNECTION_TIMEOUT.toMillis(), pool.getConnectionTimeout());
            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void badSettingsNameTheField() {
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        assertTrue(message(() -> PoolSettings.of("mysql://x", 1, "p")).startsWith("url"));
        assertTrue(message(() -> PoolSettings.of(url, 0, "p")).startsWith("poolSize"));
        assertTrue(message(() -> PoolSettings.of(url, 2, "p").withMinimumIdle(3)).startsWith("minimumIdle"));
        assertTrue(message(() -> PoolSettings.of(url, 2, " ")).startsWith("poolName"));
        assertTrue(message(() -> PoolSettings.of(url, 2, "p").withConnectionTimeout(Duration.ofMillis(10)))
                .startsWith("connectionTimeout"));
        assertTrue(message(() -> PoolSettings.of(url, 2, "p").withStartTimeout(Duration.ofSeconds(-1)))
                .startsWith("startTimeout"));
    }

    @Test
    void thePasswordStaysOutOfMessages() {
        String text = PoolSettings.of("jdbc:postgresql://db/x?user=u&password=secret&ssl=true", 1, "p").toString();
        assertFalse(text.contains("secret"), text);
        assertTrue(text.contains("ssl=true"), text);
    }

    @Test
    void schemaNamesAreCheckedInOnePlace() {
        assertEquals("spine_1", SchemaNames.check("spine_1"));
        assertTrue(message(() -> SchemaNames.check("Spine")).startsWith("schema"));
        assertTrue(message(() -> SchemaNames.check("a;drop")).startsWith("schema"));
        assertTrue(message(() -> SchemaNames.check("a".repeat(SchemaNames.MAX_LENGTH + 1))).startsWith("schema"));
        assertEquals(SchemaNames.MAX_LENGTH, SchemaNames.check("a".repeat(SchemaNames.MAX_LENGTH)).length());
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
