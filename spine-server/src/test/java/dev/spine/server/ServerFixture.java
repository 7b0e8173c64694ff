package dev.spine.server;

import dev.spine.service.ServiceFixture;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;

/** A whole server (engine, HTTP, gateway when a test turns it on) in the test's own schema and streams. */
public final class ServerFixture {
    private ServerFixture() {}

    /** The engine's test settings ({@link ServiceFixture#env}) plus an admin API on a free port. */
    public static ServerConfig config(TestDatabase db, TestNats nats, Map<String, String> overrides) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        // the process's own system.* events only where a test is about them: others count the stream's events
        env.put("SPINE_SYSTEM_EVENTS", "false");
        env.putAll(overrides);
        return ServerConfig.from(ServiceFixture.env(db, nats, env)::get);
    }
}
