package dev.spine.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.server.ServerConfig;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code spine demo} on every {@code SPINE_EVENT_BUS} backend: events become jobs in all three tiers, cron
 * fires, retries end in dead letters, and the demo says {@code demo: OK}. The runs share the demo's fixed
 * schema and stream names, so they run one after another (methods of a class run on one thread).
 */
@ExtendWith(SpineServices.class)
class DemoTest {

    @ParameterizedTest
    @ValueSource(strings = {"nats", "postgres", "in-memory"})
    void theDemoEndsOkOnEveryEventBackend(String backend, TestDatabase db, TestNats nats) throws Exception {
        ServerConfig base = ServerConfig.from(Map.of("SPINE_PG_URL", db.url(), "SPINE_NATS_URL", nats.url(),
                "SPINE_EVENT_BUS", backend, "SPINE_HTTP_ADDR", "127.0.0.1:0")::get);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = new Demo(base, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        assertTrue(printed.contains("on the " + backend + " event backend"), printed);
        assertTrue(printed.contains("demo: OK"), printed);
    }
}
