package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spine.contracts.ConfigException;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The limits every connection gets: header size (431), body size (413), idle timeout (the server hangs up). */
@ExtendWith(SpineServices.class)
class HttpLimitsTest {

    @Test
    void oversizedHeadersAndBodiesAreRefusedAndIdleConnectionsClosed(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer service = SpineServer.builder(ServerFixture.config(db, nats, Map.of(
                "SPINE_HTTP_MAX_HEADER_BYTES", "2048", "SPINE_HTTP_IDLE_TIMEOUT", "1s"))).discoverHandlers(false)
                .build().start()) {
            AdminClient api = new AdminClient(service);
            assertEquals(200, api.send(HttpRequest.newBuilder(URI.create(api.base + "/health/live"))
                    .header("X-Small", "y".repeat(1000)).GET()).status());
            assertEquals(431, api.send(HttpRequest.newBuilder(URI.create(api.base + "/health/live"))
                    .header("X-Large", "y".repeat(4000)).GET()).status(), "headers over SPINE_HTTP_MAX_HEADER_BYTES");
            assertEquals(413, api.post("/v1/replay", "{\"pad\":\"" + "z".repeat(100 * 1024) + "\"}", AdminClient.TOKEN)
                    .status(), "a body over the admin API's 64 KiB");

            URI base = URI.create(api.base);
            try (Socket idle = new Socket()) {
                idle.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
                idle.setSoTimeout(20_000); // far above the 1 s idle timeout: a read that returns means the server hung up
                assertEquals(-1, idle.getInputStream().read(), "a connection that sends nothing is closed");
            }
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.defaults()
                .with(Map.of("SPINE_HTTP_IDLE_TIMEOUT", "100ms")));
        assertEquals("SPINE_HTTP_IDLE_TIMEOUT", e.variable());
        assertEquals("SPINE_ADMIN_ADDR", assertThrows(ConfigException.class, () -> ServerConfig.defaults()
                .with(Map.of("SPINE_ADMIN_ADDR", "localhost"))).variable());
        assertEquals("SPINE_HTTP_MAX_HEADER_BYTES", assertThrows(ConfigException.class, () -> ServerConfig.defaults()
                .with(Map.of("SPINE_HTTP_MAX_HEADER_BYTES", "10"))).variable());
    }
}
