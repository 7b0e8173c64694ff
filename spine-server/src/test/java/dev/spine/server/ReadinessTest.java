package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TcpProxy;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness follows the service's connections: a TCP proxy sits between the service and each shared
 * server, and closing the proxy is the outage (the machine's PostgreSQL and NATS keep running).
 */
@ExtendWith(SpineServices.class)
class ReadinessTest {
    @Test
    void readinessTurns503NamingTheCheckWhenPostgresThenNatsIsCutOff(TestDatabase db, TestNats nats) throws Exception {
        ServerFixture.PgAddress pg = ServerFixture.pgAddress(db);
        URI natsUri = URI.create(nats.url());
        try (TcpProxy pgProxy = new TcpProxy(pg.host(), pg.port());
             TcpProxy natsProxy = new TcpProxy(natsUri.getHost(), natsUri.getPort())) {
            Map<String, String> env = Map.of(
                    "SPINE_PG_URL", pg.urlVia(pgProxy.port()),
                    "SPINE_NATS_URL", "nats://127.0.0.1:" + natsProxy.port());
            try (SpineServer service = SpineServer.builder(ServerFixture.config(db, nats, env))
                    .discoverHandlers(false).build().start()) {
                AdminClient api = new AdminClient(service);
                assertEquals(200, api.get("/health/ready").status(), "ready through the proxies");

                pgProxy.close();
                JsonNode down = Eventually.awaitValue("readiness reports the database", Duration.ofSeconds(30),
                        () -> api.get("/health/ready"), r -> r.status() == 503
                                && r.json().path("checks").path("database").path("status").asText().equals("error"))
                        .json();
                assertEquals("error", down.path("status").asText());
                assertEquals("ok", down.path("checks").path("broker").path("status").asText(), down.toString());
                assertEquals(503, api.get("/health/database").status());
                assertEquals(200, api.get("/health/broker").status(), "NATS is still there");
                assertEquals(200, api.get("/health/live").status(), "alive while not ready");

                natsProxy.close();
                AdminClient.Reply broker = Eventually.awaitValue("the broker check fails", Duration.ofSeconds(30),
                        () -> api.get("/health/broker"), r -> r.status() == 503);
                assertEquals("error", broker.json().path("checks").path("broker").path("status").asText());
                JsonNode ready = api.get("/health/ready").json();
                assertEquals("error", ready.path("checks").path("broker").path("status").asText(), ready.toString());
                assertEquals(true, ready.path("failed").toString().contains("broker"), ready.toString());
            }
        }
    }
}
