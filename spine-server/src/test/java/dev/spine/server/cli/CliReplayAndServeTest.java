package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import dev.spine.server.ServerFixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.service.ServiceConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code spine replay} against a service's schema, and {@code spine serve} as a child process stopped by SIGTERM. */
@ExtendWith(SpineServices.class)
class CliReplayAndServeTest {

    static Map<String, String> env(TestDatabase db, TestNats nats) {
        return new HashMap<>(dev.spine.server.ServerFixture.config(db, nats, Map.of("SPINE_ADMIN_TOKEN", "serve-token",
                "SPINE_WORKERS_REALTIME", "1", "SPINE_WORKERS_INTERACTIVE", "1", "SPINE_WORKERS_BACKGROUND", "1"))
                .asVariables());
    }

    @Test
    void replayMaterialisesAWindowOnceAndASecondReplayCreatesNothing(TestDatabase db, TestNats nats) {
        Map<String, String> env = env(db, nats);
        try (SpineServer service = SpineServer.builder(dev.spine.server.ServerConfig.from(env::get)).discoverHandlers(false)
                .handler("IndexDocumentJob", job -> { }).build().start();
             Spine publisher = Spine.builder(nats.connect()).topology(service.engine().config().topology()).build()) {
            publisher.publish(CliTest.event("data.EntityCreated", 1));
            publisher.publish(CliTest.event("data.EntityCreated", 2));
            String keys = "select count(*) from " + db.schema() + ".job_key";
            Eventually.await("the service materialised both events", () -> db.queryLong(keys) == 2);
            db.execute("delete from " + db.schema() + ".job_key"); // as if the jobs had been lost

            CliTest.Run first = CliTest.spine(CliTest.on(db, nats, "replay", "--from-seq", "1").toArray(String[]::new));
            assertEquals(0, first.exit(), first.err());
            assertTrue(first.out().contains("events=2 malformed=0 jobs=2 created=2"), first.out());
            CliTest.Run second = CliTest.spine(CliTest.on(db, nats, "replay", "--from", "2020-01-01T00:00:00Z",
                    "--type", "data.EntityCreated").toArray(String[]::new));
            assertEquals(0, second.exit(), second.err());
            assertTrue(second.out().contains("events=2 malformed=0 jobs=2 created=0"), second.out());
            assertEquals(2, db.queryLong(keys));

            CliTest.Run bad = CliTest.spine(CliTest.on(db, nats, "replay", "--from", "yesterday").toArray(String[]::new));
            assertEquals(2, bad.exit());
            assertTrue(bad.err().contains("INVALID_FIELD from:"), bad.err());
            assertEquals(2, CliTest.spine("replay").exit(), "a start is required");
        }
    }

    @Test
    void serveRunsUntilSigtermAndThenShutsDownGracefully(TestDatabase db, TestNats nats) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SpineCli.class.getName(), "serve").redirectErrorStream(true);
        pb.environment().putAll(env(db, nats));
        Process child = pb.start();
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(l -> output.append(l).append('\n'));
            } catch (java.io.IOException e) {
                output.append("reader failed: ").append(e).append('\n');
            }
        });
        reader.start();
        try {
            Pattern running = Pattern.compile("spine serve: running; admin API on (http://\\S+)");
            Matcher m;
            try {
                // a cold JVM and three schemas' migrations while the rest of the suite runs beside it: in CI runs a
                // PostgreSQL checkpoint fsyncing ~12,000 files made the migrations alone take 17-20 s
                m = Eventually.awaitValue("serve reports its address", Duration.ofSeconds(120),
                        () -> running.matcher(output), Matcher::find);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; serve printed:\n" + output, e);
            }
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(m.group(1) + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());

            // SIGTERM through the handle: Process.destroy() would also close our end of the child's output
            assertTrue(child.toHandle().destroy(), "SIGTERM sent");
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "serve exited after SIGTERM:\n" + output);
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(output.toString().contains("job service stopped"), "graceful close ran (exit "
                    + child.exitValue() + "):\n" + output);
            assertEquals(143, child.exitValue(), "terminated by SIGTERM (128 + 15)");
        } finally {
            child.destroyForcibly();
        }
    }
}
