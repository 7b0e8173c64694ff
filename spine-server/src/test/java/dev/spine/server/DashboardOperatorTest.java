package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.TraceContext;
import dev.spine.events.Spine;
import dev.spine.jobs.JobInfo;
import dev.spine.service.RoutingTable;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator views of the dashboard in a real (headless) Chromium against a real server (issue 21's proof):
 * a schedule triggered from the page runs its job; a queue paused and resumed from the page; the last-hour
 * charts drawn from the server's readings (sampled every second here, so no 30 s wait); a job's page with its
 * attempts and its correlation timeline (the event, both jobs it made, the failed attempt) and the trace link;
 * an open breaker and this instance in the registry. Screenshots land in {@code target/screenshots/}; copies are
 * kept in {@code src/test/resources/screenshots/}.
 */
@ExtendWith(SpineServices.class)
class DashboardOperatorTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String JAEGER = "http://jaeger.example:16686";
    static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    static final Path SHOTS = Path.of("target", "screenshots");

    @Test
    void anOperatorTriggersPausesReadsTheChartsAndFollowsACorrelation(TestDatabase db, TestNats nats) throws Exception {
        HeadlessChromium.requireInstalled();
        String routes = """
                routes:
                  - match: data.OrderPlaced
                    job: ReserveStockJob
                    queue: realtime
                    backoff: {initial: 1s, max: 1s}
                  - match: data.OrderPlaced
                    job: SendReceiptJob
                    queue: interactive
                  - match: data.Broken
                    job: BrokenJob
                    queue: background
                    maxAttempts: 1
                schedules:
                  - name: nightly-report
                    cron: "0 3 * * *"
                    job: NightlyReportJob
                    queue: background
                """;
        AtomicInteger reserves = new AtomicInteger();
        AtomicInteger reports = new AtomicInteger();
        ServerConfig config = ServerFixture.config(db, nats, Map.of("SPINE_DASHBOARD_SAMPLE_INTERVAL", "1s",
                "SPINE_JAEGER_URL", JAEGER, "SPINE_BREAKER_OPEN_FOR", "10m"));
        try (SpineServer server = SpineServer.builder(config).discoverHandlers(false)
                     .routes(RoutingTable.parse(routes, "t"))
                     .handler("ReserveStockJob", job -> {
                         if (reserves.incrementAndGet() == 1) {
                             throw new IllegalStateException("stock service timed out");
                         }
                     })
                     .handler("SendReceiptJob", job -> { })
                     .handler("BrokenJob", job -> {
                         throw new IllegalStateException("always broken");
                     })
                     .handler("NightlyReportJob", job -> reports.incrementAndGet())
                     .build().start();
             Spine publisher = ServiceFixture.publisher(nats, server.engine().config());
             HeadlessChromium browser = HeadlessChromium.start(Path.of("target"), 1200, 900)) {
            AdminClient api = new AdminClient(server);
            EventEnvelope order = EventEnvelope.builder().eventType("data.OrderPlaced").source("shop")
                    .data(JsonNodeFactory.instance.objectNode().put("order", 1001))
                    .traceContext(TraceContext.of("00-" + TRACE_ID + "-b7ad6b7169203331-01")).build();
            publisher.publish(order);
            // enough failures of one type to open its breaker (10 calls at 50 %)
            for (int i = 0; i < 12; i++) {
                publisher.publish(EventEnvelope.builder().eventType("data.Broken").source("crm")
                        .data(JsonNodeFactory.instance.objectNode().put("i", i)).build());
            }
            String correlation = order.correlationId().toString();
            List<JobInfo> chain = Eventually.awaitValue("both jobs of the order finished", WAIT,
                    () -> server.engine().jobs().findByCorrelationId(correlation, 10),
                    l -> l.size() == 2 && l.stream().allMatch(j -> "completed".equals(j.state())));
            String reserveId = chain.stream().filter(j -> j.type().equals("ReserveStockJob")).findFirst().orElseThrow()
                    .id().toString();

            browser.open("http://" + server.adminAddress() + "/");
            browser.type("#token", AdminClient.TOKEN);
            browser.click("#token-save", WAIT);

            aTriggeredScheduleRunsItsJob(browser, api, reports);
            aQueueIsPausedAndResumed(browser, api, publisher);
            theChartsHaveDataPoints(browser, api);
            breakersAndInstancesAreShown(browser);
            browser.screenshot(SHOTS.resolve("dashboard-overview.png"));

            aJobPageShowsItsCorrelationTimeline(browser, reserveId, chain);
            browser.screenshot(SHOTS.resolve("dashboard-job-timeline.png"));
        }
    }

    private static void theChartsHaveDataPoints(HeadlessChromium browser, AdminClient api) throws Exception {
        JsonNode history = Eventually.awaitValue("three readings in the server's history", WAIT,
                () -> api.get("/v1/queues/history").json(), h -> h.path("at").size() >= 3);
        assertEquals(1.0, history.path("intervalSeconds").asDouble(), history.toString());
        assertEquals(3600, history.path("windowSeconds").asLong());
        for (String tier : List.of("realtime", "interactive", "background")) {
            assertEquals(history.path("at").size(), history.path("queues").path(tier).path("depth").size(), tier);
        }
        assertTrue(history.path("queues").path("realtime").has("objective"), "realtime has a latency objective");
        // the depth line of interactive climbs to the five jobs that waited while it was paused
        Eventually.await("the interactive depth line rises off its baseline", WAIT, () -> browser.script(
                "const ys = [...document.querySelectorAll(\"#chart-depth polyline[data-queue='interactive']\")]"
                + ".flatMap(l => l.getAttribute('points').split(' ').map(p => Number(p.split(',')[1])));"
                + "return ys.length > 1 && Math.min(...ys) < Math.max(...ys)").asBoolean());
        // each tier's line in both charts, drawn through at least two readings
        for (String chart : List.of("#chart-depth", "#chart-throughput")) {
            for (String tier : List.of("realtime", "interactive", "background")) {
                String line = chart + " polyline[data-queue='" + tier + "']";
                Eventually.await(line + " has points", WAIT, () -> points(browser, line) >= 2);
            }
        }
        Eventually.await("the legend shows the realtime objective's status", WAIT,
                () -> !browser.findAll("#chart-legend [data-legend='realtime'] [data-slo]").isEmpty());
        assertEquals(0, browser.findAll("#chart-legend [data-legend='background'] [data-slo]").size(),
                "background has no objective to show");
    }

    private static void aTriggeredScheduleRunsItsJob(HeadlessChromium browser, AdminClient api, AtomicInteger reports)
            throws Exception {
        String row = "#schedules tr[data-schedule='nightly-report']";
        browser.await(row, WAIT);
        assertEquals(0, reports.get(), "the cron (03:00) has not fired on its own");
        browser.click(row + " button.trigger", WAIT);
        Eventually.await("the page names the job it made", WAIT, () -> text(browser, "#message").contains("fired: job"));
        Eventually.await("the triggered job ran", WAIT, () -> reports.get() == 1);
        // the row follows: its last fire's job, completed
        Eventually.await("the schedule row shows the job completed", WAIT,
                () -> text(browser, row + " td.last-state").equals("completed"));
        String jobId = browser.attribute(row + " a.job-link", "data-job-id");
        assertEquals("completed", api.get("/v1/jobs/" + jobId).json().path("state").asText());

        browser.click(row + " button.pause", WAIT);
        browser.await(row + "[data-paused='true'] button.resume", WAIT);
        assertTrue(api.get("/v1/schedules/nightly-report").json().path("paused").asBoolean());
        browser.click(row + " button.resume", WAIT);
        browser.await(row + "[data-paused='false'] button.pause", WAIT);
        assertEquals(1, reports.get(), "pausing and resuming fired nothing");
    }

    private static void aQueueIsPausedAndResumed(HeadlessChromium browser, AdminClient api, Spine publisher)
            throws Exception {
        String row = "#queues tr[data-queue='interactive']";
        browser.click(row + " button.pause", WAIT);
        browser.await(row + " button.resume", WAIT);
        assertTrue(text(browser, row).contains("paused"), text(browser, row));
        assertTrue(queuePaused(api, "interactive"), "paused for every instance, in the database");
        assertTrue(text(browser, "#message").contains("Queue interactive paused"), text(browser, "#message"));
        // jobs pile up while it is paused: the table and the depth chart's history show them waiting
        for (int i = 0; i < 5; i++) {
            publisher.publish(EventEnvelope.builder().eventType("data.OrderPlaced").source("shop")
                    .data(JsonNodeFactory.instance.objectNode().put("order", 2000 + i)).build());
        }
        Eventually.await("five receipts wait in the paused queue", WAIT,
                () -> text(browser, row + " td:nth-child(2)").equals("5"));
        Eventually.await("a reading of the history saw them", WAIT, () -> maxDepth(api, "interactive") == 5);
        browser.click(row + " button.resume", WAIT);
        browser.await(row + " button.pause", WAIT);
        assertTrue(!queuePaused(api, "interactive"), "resumed");
        Eventually.await("the receipts ran once resumed", WAIT,
                () -> text(browser, row + " td:nth-child(2)").equals("0"));
    }

    private static long maxDepth(AdminClient api, String queue) {
        long max = 0;
        for (JsonNode d : api.get("/v1/queues/history").json().path("queues").path(queue).path("depth")) {
            max = Math.max(max, d.asLong());
        }
        return max;
    }

    private static void breakersAndInstancesAreShown(HeadlessChromium browser) throws Exception {
        browser.await("#breakers tr[data-breaker='BrokenJob']", WAIT);
        assertEquals("open", text(browser, "#breakers tr[data-breaker='BrokenJob'] td.bad"));
        browser.await("#instances tr[data-live='true']", WAIT);
        String instance = text(browser, "#instances tr[data-live='true']");
        assertTrue(instance.contains("realtime:") && instance.contains("NightlyReportJob"), instance);
    }

    private static void aJobPageShowsItsCorrelationTimeline(HeadlessChromium browser, String reserveId,
            List<JobInfo> chain) throws Exception {
        // from the overview: the schedule's job link leads to a job page; this one is opened by its address
        browser.open("http://" + browser.script("return location.host").asText() + "/#job/" + reserveId);
        browser.await("#job-detail[data-job-id='" + reserveId + "'][data-state='completed']", WAIT);
        assertEquals(JAEGER + "/trace/" + TRACE_ID, browser.attribute("#trace-link", "href"));
        // attempts: the first failed with its error, the second completed
        assertTrue(text(browser, "#attempts tr[data-attempt='1']").contains("stock service timed out"),
                text(browser, "#attempts"));
        assertTrue(text(browser, "#attempts tr[data-attempt='2']").contains("completed"), text(browser, "#attempts"));
        // the timeline: the event, both jobs it made (created, the failed attempt, completed), oldest first
        String timeline = "#chain ol.timeline";
        browser.await(timeline + " li[data-kind='event']", WAIT);
        for (JobInfo j : chain) {
            browser.await(timeline + " li[data-kind='created'][data-job-id='" + j.id() + "']", WAIT);
            browser.await(timeline + " li[data-kind='completed'][data-job-id='" + j.id() + "']", WAIT);
        }
        browser.await(timeline + " li[data-kind='failed'][data-job-id='" + reserveId + "']", WAIT);
        JsonNode kinds = browser.script("return [...document.querySelectorAll(arguments[0] + ' li')]"
                + ".map(li => li.dataset.kind)", timeline);
        assertEquals("event", kinds.get(0).asText(), "the event comes first: " + kinds);
        assertEquals(6, kinds.size(), "1 event, 2 created, 1 failed attempt, 2 completed: " + kinds);
        assertTrue(browser.findAll("#overview").size() == 1 && browser.script(
                "return document.getElementById('overview').hidden").asBoolean(), "the job page replaces the overview");
    }

    private static boolean queuePaused(AdminClient api, String queue) {
        for (JsonNode q : api.get("/v1/queues").json().path("items")) {
            if (q.path("queue").asText().equals(queue)) {
                return q.path("paused").asBoolean();
            }
        }
        throw new AssertionError("no queue " + queue);
    }

    /** How many readings the chart line {@code css} is drawn through (its {@code data-points}). */
    static int points(HeadlessChromium browser, String css) {
        JsonNode n = browser.script("const e = document.querySelector(arguments[0]); "
                + "return e ? Number(e.getAttribute('data-points')) : 0", css);
        return n.asInt();
    }

    private static String text(HeadlessChromium browser, String css) {
        return DashboardTest.text(browser, css);
    }
}
