package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.server.demo.Demo;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code spine demo --keep-running}: after the summary the demo keeps its workload going and names the dashboard;
 * after 30 s of that workload, sampled at the default interval (10 s), the dashboard's depth and throughput charts
 * draw every tier through several readings, and the throughput chart shows the interactive jobs the job service
 * runs itself (the chart is this instance's; the workers' tiers run elsewhere) (issue 21's proof). Screenshot:
 * {@code target/screenshots/demo-dashboard.png}.
 */
@ExtendWith(SpineServices.class)
@ResourceLock("spine_demo") // the demo's fixed schema and streams, shared with DemoTest
class DemoDashboardTest {
    static final Duration WORKLOAD = Duration.ofSeconds(30);
    static final Pattern DASHBOARD = Pattern.compile("demo: dashboard: (http://\\S+)/ \\(key: (\\S+)\\)");
    static final List<String> TIERS = List.of("realtime", "interactive", "background");

    @Test
    void theChartsHaveDataPointsAfterThirtySecondsOfTheDemoWorkload(TestDatabase db, TestNats nats) throws Exception {
        HeadlessChromium.requireInstalled();
        ServerConfig base = ServerConfig.from(Map.of("SPINE_PG_URL", db.url(), "SPINE_NATS_URL", nats.url(),
                "SPINE_HTTP_ADDR", "127.0.0.1:0")::get);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        // ends when the test has seen the charts (stopKeepingRunning), at the latest after five minutes
        Demo running = new Demo(base, out).keepRunning(Duration.ofMinutes(5));
        CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> {
            try {
                return running.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Matcher dashboard = Eventually.awaitValue("the demo names its dashboard", Duration.ofMinutes(3),
                    () -> DASHBOARD.matcher(output(printed)), Matcher::find);
            long workloadStart = System.currentTimeMillis();
            AdminClient api = new AdminClient(dashboard.group(1));
            String key = dashboard.group(2);

            JsonNode history = Eventually.awaitValue("a reading after 30 s of the workload", WORKLOAD.plusSeconds(30),
                    () -> api.get("/v1/queues/history", key).json(),
                    h -> h.path("at").size() > 0 && lastReading(h) >= workloadStart + WORKLOAD.toMillis());
            assertEquals(10.0, history.path("intervalSeconds").asDouble(), "the default sample interval");
            for (String tier : TIERS) {
                assertEquals(history.path("at").size(), history.path("queues").path(tier).path("depth").size(), tier);
            }
            // throughput is this instance's: the job service runs the ai jobs (interactive) itself, the workers the rest
            JsonNode interactive = history.path("queues").path("interactive");
            boolean ran = false;
            for (JsonNode r : interactive.path("runsPerSecond")) {
                ran |= r.asDouble() > 0;
            }
            assertTrue(ran, "the job service ran interactive jobs during the workload: " + interactive);

            try (HeadlessChromium browser = HeadlessChromium.start(Path.of("target"), 1200, 900)) {
                browser.open(dashboard.group(1) + "/");
                browser.type("#token", key);
                browser.click("#token-save", Duration.ofSeconds(20));
                for (String chart : List.of("#chart-depth", "#chart-throughput")) {
                    for (String tier : TIERS) {
                        String line = chart + " polyline[data-queue='" + tier + "']";
                        Eventually.await(line + " is drawn through three readings or more", Duration.ofSeconds(20),
                                () -> DashboardOperatorTest.points(browser, line) >= 3);
                    }
                }
                browser.screenshot(DashboardOperatorTest.SHOTS.resolve("demo-dashboard.png"));
            }
        } finally {
            running.stopKeepingRunning(); // also when an assertion failed: the workers and pools go
        }
        assertEquals(0, demo.get(2, TimeUnit.MINUTES), output(printed));
        assertTrue(output(printed).contains("demo: OK"), output(printed));
        assertTrue(output(printed).contains("demo: stopped after"), output(printed));
    }

    private static long lastReading(JsonNode history) {
        JsonNode at = history.path("at");
        return at.get(at.size() - 1).asLong();
    }

    private static String output(ByteArrayOutputStream printed) {
        return printed.toString(StandardCharsets.UTF_8); // synchronized with the demo thread's writes
    }
}
