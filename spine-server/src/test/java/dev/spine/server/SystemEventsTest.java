package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.events.SubscriptionOptions;
import dev.spine.server.http.SystemEvents;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TcpProxy;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The process announces itself on the bus: started, a readiness check failing and recovering when PostgreSQL
 * goes away and comes back (a TCP proxy is the outage; the machine's PostgreSQL keeps running), and stopping.
 */
@ExtendWith(SpineServices.class)
class SystemEventsTest {
    @Test
    void startFailureRecoveryAndStopAreEventsInOrderNamingTheCheck(TestDatabase db, TestNats nats) throws Exception {
        ServerFixture.PgAddress pg = ServerFixture.pgAddress(db);
        String host = pg.host();
        int port = pg.port();
        List<String> seen = new CopyOnWriteArrayList<>(); // "type" or "type:check"
        TcpProxy proxy = TcpProxy.reopenable(host, port); // its port is listened on again below
        int proxyPort = proxy.port();
        Map<String, String> env = Map.of("SPINE_SYSTEM_EVENTS", "true", "SPINE_HEALTH_EVENT_INTERVAL", "200ms",
                "SPINE_PG_URL", pg.urlVia(proxyPort));
        ServerConfig config = ServerFixture.config(db, nats, env);
        try (Spine watcher = ServiceFixture.publisher(nats, config.engine())) {
            try (SpineServer server = SpineServer.builder(config).discoverHandlers(false).build().start()) {
                watcher.subscribe(SubscriptionOptions.durable("system-watch").eventTypes("system.*").build(), e -> {
                    String check = e.envelope().data().path("check").asText("");
                    seen.add(e.envelope().eventType() + (check.isEmpty() ? "" : ":" + check));
                });
                Eventually.await("the start announced", () -> seen.contains(SystemEvents.STARTED));

                proxy.close();
                Eventually.await("the database check's failure announced",
                        () -> seen.contains(SystemEvents.CHECK_FAILED + ":database"));
                proxy = new TcpProxy(host, port, proxyPort);
                Eventually.await("its recovery announced", () -> seen.contains(SystemEvents.CHECK_RECOVERED + ":database"));
            }
            Eventually.await("the stop announced", () -> seen.contains(SystemEvents.STOPPING));
        } finally {
            proxy.close();
        }
        List<String> database = seen.stream().filter(s -> s.endsWith(":database")).toList();
        assertEquals(List.of(SystemEvents.CHECK_FAILED + ":database", SystemEvents.CHECK_RECOVERED + ":database"),
                database.subList(0, 2), "failed, then recovered: " + seen);
        assertEquals(SystemEvents.STARTED, seen.get(0), seen.toString());
        assertTrue(seen.indexOf(SystemEvents.STOPPING) > seen.indexOf(SystemEvents.CHECK_RECOVERED + ":database"));
    }

    @Test
    void aPlainPublishOnAnUnregisteredDomainIsCountedAndACapturedOneIsNot(TestDatabase db, TestNats nats)
            throws Exception {
        ServerConfig config = ServerFixture.config(db, nats, Map.of());
        try (SpineServer server = SpineServer.builder(config).discoverHandlers(false).build().start();
             io.nats.client.Connection plain = nats.connect()) {
            String prefix = config.engine().nats().subjectPrefix();
            plain.publish(prefix + "widget.WidgetSpun", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            plain.publish(prefix + "data.EntityCreated", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            plain.publish(prefix + "widget.WidgetSpun", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            plain.flush(java.time.Duration.ofSeconds(5));

            Eventually.await("both uncaptured publishes counted",
                    () -> server.engine().metrics().counter("spine.events.uncaptured.widget").getCount() == 2);
            // the captured one went by first in between: it was looked at and not counted
            assertEquals(0, server.engine().metrics().counter("spine.events.uncaptured.data").getCount());
            String metrics = new AdminClient(server).get("/metrics").body();
            assertTrue(metrics.contains("spine_events_uncaptured_total{subject_prefix=\"widget.\"} 2.0"), metrics);
        }
    }
}
