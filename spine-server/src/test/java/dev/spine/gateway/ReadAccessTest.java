package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.server.AdminClient;
import dev.spine.server.SpineServer;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Payload-bearing reads need a key: every GET route the server registers (walked, so a route added later is
 * covered without touching this test, unless it has a path parameter this test cannot fill) is 401 without a
 * key or with a wrong one, and 200 with the read token or the admin token; health, /metrics and the dashboard's
 * static files stay open; refusals are counted per realm on /metrics.
 */
@ExtendWith(SpineServices.class)
class ReadAccessTest {
    private static final String READ = "read-key-123";
    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

    @Test
    void everyGuardedReadIs401WithoutAKeyAnd200WithIt(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_READ_TOKEN", READ))) {
            BusClient api = new BusClient(service);
            Map<String, String> samples = samples(service, api);

            List<String> guarded = new ArrayList<>();
            for (String route : service.http().adminRoutes()) {
                String method = route.substring(0, route.indexOf(' '));
                String path = route.substring(route.indexOf(' ') + 1);
                if (!service.http().guards(method, path)) {
                    continue;
                }
                guarded.add(path);
                String url = samples.getOrDefault(path, path);
                assertFalse(PARAM.matcher(url).find(), "a sample request for the new route " + path
                        + ": add one to samples() so its reads are proven closed");
                for (String key : new String[] {null, "", "read-key-124", READ + "x", "Bearer"}) {
                    AdminClient.Reply r = api.get(url, key);
                    assertEquals(401, r.status(), "GET " + url + " with key " + key + ": " + r.body());
                    assertEquals("UNAUTHORIZED", r.errorCode());
                    assertEquals("missing or wrong bearer token", r.json().path("message").asText(), "no detail");
                    assertFalse(r.body().contains(READ) || r.body().contains(BusFixture.ADMIN), r.body());
                }
                assertEquals(200, api.get(url, READ).status(), "GET " + url + " with the read token");
                assertEquals(200, api.get(url, BusFixture.ADMIN).status(), "GET " + url + " with the admin token");
            }
            for (String payloadBearing : List.of("/v1/jobs/{id}", "/v1/jobs", "/v1/events", "/v1/events/{id}",
                    "/v1/rejected-events", "/v1/dead-letters", "/v1/failed-deliveries", "/v1/recent-events", "/v1/queues",
                    "/v1/partitions/{key}/events", "/v1/subscriptions", "/v1/publishers", "/v1/throughput",
                    "/v1/dashboard-config", "/v1/outbox/dead-letters")) {
                assertTrue(guarded.contains(payloadBearing), payloadBearing + " is guarded: " + guarded);
            }
            for (String open : List.of("/health/live", "/health/ready", "/metrics", "/", "/dashboard/dashboard.js",
                    "/v1/openapi.json", "/v1/docs", "/v1/docs/docs.css")) {
                assertEquals(200, api.get(open, null).status(), open + " needs no key");
            }
            String metrics = api.get("/metrics", null).body();
            assertTrue(metrics.contains("spine_http_auth_failures_total{realm=\"read\"} " + (guarded.size() * 5) + ".0"),
                    metrics);
            assertEquals(401, api.post("/v1/queues/background/pause", "", READ).status(),
                    "the read token does not mutate");
            assertTrue(api.get("/metrics", null).body().contains("spine_http_auth_failures_total{realm=\"admin\"} 1.0"));
        }
    }

    /** A URL answered 200 for each route with a path parameter or a required query parameter. */
    private static Map<String, String> samples(SpineServer service, BusClient api) {
        UUID job = service.engine().jobs().enqueue(JobRequest.of("NobodyRunsMe", Map.of("n", 1)).queue("background")
                .correlationId(UUID.randomUUID().toString()));
        String key = api.registerPublisher("access-test", "data.*");
        UUID event = UUID.randomUUID();
        assertEquals(202, api.publish(key, PublishingTest.event("data.OrderPlaced", event, "{\"partitionKey\":\"p-1\"}"))
                .status());
        Eventually.await("the event in the store", () -> service.gateway().storedThrough() >= 1);
        AdminClient.Reply sub = api.post("/v1/subscriptions", "{\"name\":\"board\",\"mode\":\"sse\",\"eventTypes\":[\"data.*\"]}",
                BusFixture.ADMIN);
        assertEquals(201, sub.status(), sub.body());
        Map<String, String> m = new HashMap<>();
        m.put("/v1/jobs/{id}", "/v1/jobs/" + job);
        m.put("/v1/jobs", "/v1/jobs?correlationId=" + service.engine().jobs().find(job).orElseThrow().correlationId());
        m.put("/v1/events/{id}", "/v1/events/" + event);
        m.put("/v1/partitions/{key}/events", "/v1/partitions/p-1/events");
        m.put("/v1/subscriptions/{id}", "/v1/subscriptions/" + sub.json().path("subscription").path("id").asText());
        // a schedule defined on the schema by a process that ran it (its row outlives the process)
        try (JobQueue definer = JobQueue.builder(service.engine().dataSource())
                .schema(service.engine().config().postgres().schema()).schedule(CronSchedule.of("access-nightly",
                        "0 3 * * *", "UTC", JobRequest.of("NobodyRunsMe", Map.of()).queue("background"))).build()) {
            definer.start();
        }
        m.put("/v1/schedules/{name}", "/v1/schedules/access-nightly");
        return m;
    }

    @Test
    void withNoKeyReadsAreRefusedNamingTheVariableUnlessOpenedForDevelopment(TestDatabase db, TestNats nats) {
        try (SpineServer closed = BusFixture.start(db, nats, Map.of("SPINE_ADMIN_TOKEN", ""))) {
            AdminClient.Reply r = new BusClient(closed).get("/v1/queues", "anything");
            assertEquals(401, r.status(), r.body());
            assertTrue(r.json().path("message").asText().contains("SPINE_READ_TOKEN"), r.body());
            assertEquals(200, new BusClient(closed).get("/health/ready", null).status());
        }
        try (SpineServer open = BusFixture.start(db, nats, Map.of("SPINE_ADMIN_TOKEN", "", "SPINE_READ_OPEN", "true"))) {
            BusClient api = new BusClient(open);
            assertEquals(200, api.get("/v1/queues", null).status());
            assertEquals(200, api.get("/v1/events", null).status());
            assertEquals(401, api.post("/v1/queues/background/pause", "", null).status(), "open reads, closed writes");
        }
    }

    /** Admin API and gateway on two ports: each serves its own routes only (and health, for probes). */
    @Test
    void adminAndGatewayListenOnSeparatePortsEachWithItsOwnRoutes(TestDatabase db, TestNats nats) {
        try (SpineServer service = BusFixture.start(db, nats, Map.of("SPINE_ADMIN_ADDR", "127.0.0.1:0",
                "SPINE_HTTP_ADDR", "127.0.0.1:0"))) {
            assertNotEquals(service.adminAddress(), service.gatewayAddress());
            AdminClient admin = new AdminClient(service);
            BusClient gateway = new BusClient("http://" + service.gatewayAddress());
            for (String path : List.of("/v1/queues", "/metrics", "/v1/dead-letters", "/v1/rejected-events", "/")) {
                assertEquals(200, admin.get(path).status(), "admin port serves " + path);
                assertEquals(404, gateway.get(path).status(), "gateway port does not serve " + path);
            }
            for (String path : List.of("/v1/events", "/v1/subscriptions")) {
                assertEquals(200, gateway.get(path).status(), "gateway port serves " + path);
                assertEquals(404, admin.get(path).status(), "admin port does not serve " + path);
            }
            assertEquals(gateway.get("/v1/openapi.json", null).body(), admin.get("/v1/openapi.json", null).body(),
                    "both ports serve the one document of the whole surface");
            assertEquals(200, gateway.get("/health/ready", null).status(), "load balancers probe the gateway port");
            String key = gateway.registerPublisher("ports", "data.*");
            String event = PublishingTest.event("data.OrderPlaced", UUID.randomUUID(), "{}");
            assertEquals(202, gateway.publish(key, event).status());
            assertEquals(404, admin.post("/v1/events", event, null).status(), "no publishing on the admin port");
            assertTrue(service.http().gatewayRoutes().contains("POST /v1/events"));
            assertFalse(service.http().adminRoutes().contains("POST /v1/events"));
        }
    }
}
