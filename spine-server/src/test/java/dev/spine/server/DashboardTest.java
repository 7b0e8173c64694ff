package dev.spine.server;

import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceFixture;
import dev.spine.contracts.ConfigException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import dev.spine.events.Spine;
import dev.spine.jobs.DeadJob;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

/**
 * The dashboard in a real (headless) Chromium against a real service: a job dies, the operator opens
 * its page (trace link, correlation timeline), types the token and clicks Retry, and the job leaves the
 * dead letters and completes. Leaves {@code target/dashboard.png} to look at.
 */
@ExtendWith(SpineServices.class)
class DashboardTest {
    static final String JAEGER = "http://jaeger.example:16686";
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String READ_KEY = "dashboard-read-key";

    @Test
    void anOperatorRetriesADeadJobFromTheDashboard(TestDatabase db, TestNats nats) throws Exception {
        HeadlessChromium.requireInstalled(); // before anything starts: a clear failure, never a skip
        String routes = """
                routes:
                  - match: data.EntityCreated
                    job: FlakyIndexJob
                    queue: realtime
                    maxAttempts: 1
                """;
        AtomicInteger runs = new AtomicInteger();
        ServerConfig config = ServerFixture.config(db, nats, Map.of("SPINE_JAEGER_URL", JAEGER + "/",
                "SPINE_READ_TOKEN", READ_KEY));
        try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                     .routes(RoutingTable.parse(routes, "t"))
                     .handler("FlakyIndexJob", job -> {
                         if (runs.incrementAndGet() == 1) {
                             throw new IllegalStateException("search index unreachable");
                         }
                     }).build().start();
             Spine publisher = ServiceFixture.publisher(nats, service.engine().config())) {
            EventEnvelope event = EventEnvelope.builder().eventType("data.EntityCreated").source("crm")
                    .data(JsonNodeFactory.instance.objectNode().put("id", 42).put("name", "<b>not bold</b>"))
                    .traceContext(TraceContext.of("00-" + TRACE_ID + "-00f067aa0ba902b7-01")).build();
            publisher.publish(event);
            publisher.publishUnchecked("data.EntityCreated", "{not json".getBytes(StandardCharsets.UTF_8));
            List<DeadJob> dead = Eventually.awaitValue("the job died after its one attempt", Duration.ofSeconds(20),
                    () -> service.engine().jobs().deadJobs(null, null, 10), l -> l.size() == 1);
            String id = dead.get(0).id().toString();
            AdminClient api = new AdminClient(service);
            servesThePageAndItsJson(api);
            String deadRow = "tr[data-dead-id='" + id + "']";

            try (HeadlessChromium browser = HeadlessChromium.start(Path.of("target"), 1280, 900)) {
                browser.open("http://" + service.adminAddress() + "/");
                // the page loads, its data does not: every read needs a key, typed once per tab
                Eventually.await("the page asks for a key", WAIT, () -> text(browser, "#message").contains("needs a key"));
                assertEquals(0, browser.findAll(deadRow).size(), "no data without the key");
                browser.type("#token", READ_KEY);
                browser.click("#token-save", WAIT);
                String shownRow = browser.await(deadRow, WAIT);
                assertTrue(browser.text(deadRow).contains("search index unreachable"), browser.text(deadRow));
                // an unchanged row stays the same element across refreshes (a rebuilt one lost clicks)
                browser.awaitRefreshes(2, WAIT);
                assertFalse(browser.stale(shownRow), "the unchanged dead-job row was rebuilt by a refresh");

                browser.click(deadRow + " a.job-link", WAIT);
                browser.await("#job-detail[data-job-id='" + id + "']", WAIT);
                assertEquals(JAEGER + "/trace/" + TRACE_ID, browser.attribute("#trace-link", "href"),
                        "the trace link is SPINE_JAEGER_URL/trace/<trace id of the job's traceparent>");
                browser.await("#chain a.job-link[data-job-id='" + id + "']", WAIT);
                // the job link opened the job's page in place of the overview; back to it
                browser.click("#job-page-back", WAIT);
                browser.await("#overview:not([hidden])", WAIT);

                browser.await("#events tr[data-sequence]", WAIT);
                assertTrue(browser.text("#events").contains("data.EntityCreated"), browser.text("#events"));
                assertTrue(browser.text("#events").contains("<b>not bold</b>"), "event data is shown as text");
                assertEquals(0, browser.findAll("#events b").size(), "event data never becomes markup");
                browser.await("#rejected tr[data-rejected-id]", WAIT);
                assertTrue(browser.text("#rejected").contains("MALFORMED_JSON"), browser.text("#rejected"));
                browser.await("#queues tr[data-queue='realtime']", WAIT);
                // a rate needs two readings of /v1/throughput, so it appears from the second refresh on
                Eventually.await("the realtime queue shows a rate", WAIT, () -> text(browser,
                        "#queues tr[data-queue='realtime'] td.rate").matches("\\d+\\.\\d"));
                browser.await("#objectives tr[data-tier]", WAIT);

                browser.click("button.retry[data-job-id='" + id + "']", WAIT);
                Eventually.await("the read key cannot retry", WAIT, () -> text(browser, "#message").contains("401"));
                browser.type("#token", AdminClient.TOKEN);
                browser.click("#token-save", WAIT);
                assertEquals(AdminClient.TOKEN, browser.script("return sessionStorage.getItem('spine.adminToken')").asText());
                assertFalse(browser.source().contains(AdminClient.TOKEN), "the token is never written into the page");

                browser.click("button.retry[data-job-id='" + id + "']", WAIT);
                browser.awaitGone(deadRow, WAIT);
                assertTrue(browser.text("#message").contains("back in its queue"), browser.text("#message"));

                Eventually.await("the retried job ran and completed", WAIT, () ->
                        "completed".equals(api.get("/v1/jobs/" + id).json().path("state").asText()));
                JsonNode stillDead = api.get("/v1/dead-letters").json().path("items");
                assertEquals(0, stillDead.size(), "the job left the dead letters: " + stillDead);
                assertEquals(2, runs.get(), "one failed attempt, one after the retry");
                browser.await("#dead td.empty", WAIT);
                // the job's page (its own address) shows it completed; then the picture is taken
                browser.open("http://" + service.adminAddress() + "/#job/" + id);
                browser.await("#job-detail[data-job-id='" + id + "'][data-state='completed']", WAIT);
                browser.screenshot(Path.of("target", "dashboard.png"));
            }
        }
    }

    /** The page, its assets and the read-only JSON it adds, over plain HTTP. */
    private static void servesThePageAndItsJson(AdminClient api) {
        AdminClient.Reply page = api.get("/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<script src=\"/dashboard/dashboard.js\""), page.body());
        assertFalse(page.body().contains(AdminClient.TOKEN), "the token is not in the page");
        assertEquals(200, api.get("/dashboard/dashboard.css").status());
        // only the page's own files: no other classpath resource, no path tricks
        assertEquals(404, api.get("/dashboard/demo-routes.yaml").status());
        assertEquals(404, api.get("/dashboard/..%2Fdemo-routes.yaml").status());
        assertEquals(JAEGER, api.get("/v1/dashboard-config").json().path("jaegerUrl").asText(),
                "SPINE_JAEGER_URL without its trailing slash");
        JsonNode throughput = api.get("/v1/throughput").json();
        assertTrue(throughput.path("queues").path("realtime").path("runs").asLong() >= 1, throughput.toString());
        assertTrue(throughput.path("at").asLong() > 0, throughput.toString());
        assertFalse(throughput.path("instance").asText().isEmpty(), "rates are only derived from one instance's counts");
        JsonNode recent = api.get("/v1/recent-events?limit=1").json();
        assertEquals(1, recent.path("items").size(), "limit 1: only the newest, " + recent);
        assertEquals("MALFORMED_JSON", recent.path("items").get(0).path("malformed").asText(), recent.toString());
        AdminClient.Reply bad = api.get("/v1/recent-events?limit=0");
        assertEquals(400, bad.status());
        assertEquals("limit", bad.field());
    }

    @Test
    void aJaegerUrlThatIsNotHttpIsRefusedWithTheVariablesName() {
        ConfigException e = assertThrows(ConfigException.class, () ->
                ServerConfig.defaults().with(Map.of("SPINE_JAEGER_URL", "javascript:alert(1)")));
        assertEquals("SPINE_JAEGER_URL", e.variable());
        assertEquals("http://localhost:16686", ServerConfig.defaults().jaegerUrl());
    }

    @Test
    void aMissingBrowserFailsTheTestSayingWhatToInstall() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () ->
                HeadlessChromium.requireInstalled(List.of(Path.of("/nonexistent/chromium"))));
        assertTrue(e.getMessage().contains("apt-get install -y chromium chromium-driver"), e.getMessage());
    }

    /** The element's text, for poll conditions (which cannot throw InterruptedException). */
    static String text(HeadlessChromium browser, String css) {
        try {
            return browser.text(css);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
