package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample booted against the real PostgreSQL and NATS (SPINE_PG_URL / SPINE_NATS_URL, else the local
 * defaults), in schemas and streams of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ShopApplicationTest {
    static final String RUN = "shop_" + UUID.randomUUID().toString().substring(0, 8);

    @DynamicPropertySource
    static void isolated(DynamicPropertyRegistry registry) {
        registry.add("shop.schema", () -> RUN);
        registry.add("spine.jobs.schema", () -> RUN + "_jobs");
        registry.add("spine.outbox.schema", () -> RUN + "_events");
        registry.add("spine.jobs.stats-interval", () -> "200ms");
        registry.add("spine.nats.stream-prefix", () -> RUN.toUpperCase() + "-");
        registry.add("spine.nats.subject-prefix", () -> RUN + ".");
    }

    @Autowired
    Orders orders;
    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;

    @Test
    void aTransactionThatThrowsAfterEnqueueingLeavesNoJob() {
        assertThrows(IllegalStateException.class, () -> orders.place("o-rolled-back", true));
        assertNull(orders.shipped("o-rolled-back"), "the order rolled back");
        assertEquals(0, jdbc.queryForObject("select count(*) from " + RUN + "_jobs.job where payload->>'orderId' = ?",
                Long.class, "o-rolled-back"), "and its job with it");
    }

    @Test
    void aCommittedOrderIsShippedByItsJob() {
        orders.place("o-committed", false);
        await("the ShipOrder job ran", () -> Boolean.TRUE.equals(orders.shipped("o-committed")));
    }

    @Test
    void theHealthEndpointReportsTheDatabaseAndTheBroker() throws Exception {
        String health = get("/actuator/health");
        JsonNode spine = new ObjectMapper().readTree(health.substring(health.indexOf(' ') + 1)).path("components").path("spine");
        assertEquals("UP", spine.path("status").asText(), health);
        assertEquals("UP", spine.path("details").path("database").asText(), health);
        assertTrue(spine.path("details").path("broker").asText().startsWith("UP"), health);
    }

    @Test
    void theQueueMetersAreInMicrometerTaggedByQueue() throws Exception {
        orders.place("o-metered", false);
        await("the completed counter", () -> get("/actuator/metrics/spine.jobs.completed").contains("\"queue\""));
        String completed = get("/actuator/metrics/spine.jobs.completed");
        assertTrue(completed.contains("\"tag\":\"queue\"") && completed.contains("\"background\""), completed);
        assertTrue(get("/actuator/metrics/spine.jobs.run").contains("\"tag\":\"type\""));
    }

    private String get(String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls until {@code condition} holds (30 s at most): the job runs on the queue's worker thread. */
    private static void await(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
