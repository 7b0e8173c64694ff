package dev.spine.gateway;

import dev.spine.server.ServerFixture;
import dev.spine.server.SpineServer;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.HashMap;
import java.util.Map;

/** A job service with the event bus on, in the test's own schema and streams. */
final class BusFixture {
    static final String ADMIN = "test-token";

    private BusFixture() {}

    /**
     * Quick retries (50 ms doubling) and webhooks to the test's receivers on 127.0.0.1 allowed by the allow-list
     * (the default refuses loopback), unless overridden.
     */
    static SpineServer start(TestDatabase db, TestNats nats, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_PG_POOL_SIZE", "4");
        env.put("SPINE_BUS_ENABLED", "true");
        env.put("SPINE_BUS_PG_POOL_SIZE", "2");
        env.put("SPINE_BUS_WEBHOOK_ALLOW", "127.0.0.1");
        env.put("SPINE_BUS_WEBHOOK_BACKOFF", "50ms");
        env.put("SPINE_BUS_WEBHOOK_BACKOFF_MAX", "200ms");
        env.put("SPINE_BUS_WEBHOOK_TIMEOUT", "5s");
        env.put("SPINE_BUS_REFRESH", "1s");
        env.putAll(overrides);
        return SpineServer.builder(ServerFixture.config(db, nats, env)).discoverHandlers(false).build().start();
    }
}
