package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.ConfigException;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.gateway.SignedPost;
import dev.spine.gateway.WebhookAllowList;
import dev.spine.gateway.WebhookSignature;
import dev.spine.jobs.Backoff;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.service.ServiceFixture;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.NodeJs;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP push handlers against the Node example receiver (examples/node-http-handler): the job service POSTs the
 * jobs of a configured type there, signed; the receiver's answer completes, fails, or snoozes them, and the
 * queue's timeouts, retries and dead letters apply unchanged.
 */
@ExtendWith(SpineServices.class)
class PushHandlerTest {
    static final Path RECEIVER = Path.of("..", "examples", "node-http-handler", "server.js");
    static final String SECRET = "test-push-secret-0123456789";
    static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/");
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void theReceiverRunsPushedJobsThroughSuccessRetriesTimeoutsSnoozesAndDeadLetters(TestDatabase db, TestNats nats)
            throws Exception {
        try (NodeJs receiver = NodeJs.start(RECEIVER, Map.of("SPINE_PUSH_SECRET", SECRET, "PORT", "0"));
                SpineServer server = SpineServer.builder(ServerFixture.config(db, nats, Map.of(
                        "SPINE_PUSH_HANDLERS", "DemoJob=http://127.0.0.1:" + port(receiver) + "/jobs",
                        "SPINE_PUSH_SECRET", SECRET,
                        "SPINE_BUS_WEBHOOK_ALLOW", "127.0.0.1"))).discoverHandlers(false).build().start()) {
            JobQueue jobs = server.engine().jobs();
            assertTrue(jobs.workers().stream().anyMatch(w -> w.types().contains("DemoJob")),
                    "the pushed type is served by this process: " + jobs.workers());

            UUID ok = jobs.enqueue(demo(Map.of()).traceContext(TRACEPARENT, null));
            UUID flaky = jobs.enqueue(demo(Map.of("failUntilAttempt", 2)));
            UUID slow = jobs.enqueue(demo(Map.of("holdMs", 10_000)).timeout(Duration.ofSeconds(1)));
            UUID alwaysSlow = jobs.enqueue(demo(Map.of("holdMs", 10_000, "holdAttempts", 9))
                    .timeout(Duration.ofSeconds(1)).maxAttempts(2));
            UUID later = jobs.enqueue(demo(Map.of("retryAfterSeconds", 1)));

            JobInfo done = completed(jobs, ok);
            assertEquals(1, done.attempt());
            // the receiver saw the job's trace: the stored context, or the job run's span within that trace
            assertTrue(receiver.output().contains("job " + ok + " DemoJob attempt 1: completed")
                    && receiver.output().contains("-4bf92f3577b34da6a3ce929d0e0e4736-"), receiver.output());

            JobInfo retried = completed(jobs, flaky);
            assertEquals(2, retried.attempt(), retried.toString());
            assertTrue(retried.errorsJson().contains("PUSH_REJECTED") && retried.errorsJson().contains("HTTP 500"),
                    retried.errorsJson());
            assertTrue(receiver.output().contains("job " + flaky + " DemoJob attempt 1: failed"), receiver.output());

            // the receiver held the first attempt past the job's 1 s timeout: failed, the second one completed
            JobInfo timedOut = completed(jobs, slow);
            assertEquals(2, timedOut.attempt(), timedOut.toString());
            assertTrue(timedOut.errorsJson().contains("timed out after 1000 ms"), timedOut.errorsJson());
            // the timeout closed the connection: the first attempt ended near 1 s, not when the receiver let go (10 s)
            Duration took = Duration.between(timedOut.createdAt(), timedOut.finishedAt());
            assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0,
                    timedOut.createdAt() + " -> " + timedOut.finishedAt());

            DeadJob dead = Eventually.awaitValue("the job held past its timeout on every attempt is dead",
                    Duration.ofSeconds(30), () -> jobs.deadJobs("interactive", "DemoJob", 10).stream()
                            .filter(d -> d.id().equals(alwaysSlow)).findFirst(), Optional::isPresent).orElseThrow();
            assertEquals(2, dead.attempts());
            assertEquals(2, dead.errorsJson().split("timed out after 1000 ms", -1).length - 1, dead.errorsJson());

            // Retry-After: snoozed for 1 s without using an attempt, then completed on attempt 1
            JobInfo snoozed = completed(jobs, later);
            assertEquals(1, snoozed.attempt(), snoozed.toString());
            assertTrue(receiver.output().contains("job " + later + " DemoJob attempt 1: retry after 1 s"),
                    receiver.output());
            Duration waited = Duration.between(snoozed.createdAt(), snoozed.finishedAt());
            assertTrue(waited.compareTo(Duration.ofMillis(900)) >= 0,
                    snoozed.createdAt() + " -> " + snoozed.finishedAt());
        }
    }

    @Test
    void theRoutingFileNamesAPushHandlerForARoutedEventsJobs(TestDatabase db, TestNats nats, @TempDir Path dir)
            throws Exception {
        try (NodeJs receiver = NodeJs.start(RECEIVER, Map.of("SPINE_PUSH_SECRET", SECRET, "PORT", "0"))) {
            Path routes = Files.writeString(dir.resolve("routes.yaml"), """
                    routes:
                      - match: rule.SendMessageRequested
                        job: SendOutgoingMessageJob
                        queue: interactive
                    pushHandlers:
                      - job: SendOutgoingMessageJob
                        url: http://127.0.0.1:%d/jobs
                    """.formatted(port(receiver)));
            Map<String, String> env = Map.of("SPINE_ROUTES_FILE", routes.toString(), "SPINE_PUSH_SECRET", SECRET,
                    "SPINE_BUS_WEBHOOK_ALLOW", "127.0.0.1");
            try (SpineServer server = SpineServer.builder(ServerFixture.config(db, nats, env)).discoverHandlers(false)
                    .build().start();
                    Spine publisher = ServiceFixture.publisher(nats, server.engine().config())) {
                EventEnvelope event = EventEnvelope.builder().eventType("rule.SendMessageRequested").source("test")
                        .data(JsonNodeFactory.instance.objectNode().put("to", "+4912345").put("text", "hello")).build();
                publisher.publish(event);

                Eventually.await("the receiver sent the message", () -> receiver.output()
                        .contains("sending message to +4912345: hello (correlation " + event.correlationId() + ")"));
                JobInfo job = Eventually.awaitValue("the job completed", Duration.ofSeconds(30),
                        () -> server.engine().jobs().findByCorrelationId(event.correlationId().toString(), 10),
                        l -> l.size() == 1 && l.get(0).state().equals("completed")).get(0);
                assertEquals("SendOutgoingMessageJob", job.type());
            }

            // the same type pushed elsewhere by SPINE_PUSH_HANDLERS: which one is meant cannot be guessed
            Map<String, String> both = new java.util.HashMap<>(env);
            both.put("SPINE_PUSH_HANDLERS", "SendOutgoingMessageJob=http://127.0.0.1:9/other");
            ConfigException e = assertThrows(ConfigException.class, () -> SpineServer.builder(
                    ServerFixture.config(db, nats, both)).discoverHandlers(false).build().start());
            assertEquals(PushHandlerSettings.HANDLERS, e.variable());
            Map<String, String> noSecret = new java.util.HashMap<>(env);
            noSecret.remove("SPINE_PUSH_SECRET");
            ConfigException secret = assertThrows(ConfigException.class, () -> SpineServer.builder(
                    ServerFixture.config(db, nats, noSecret)).discoverHandlers(false).build().start());
            assertEquals(PushHandlerSettings.SECRET, secret.variable());
        }
    }

    @Test
    void theReceiverRefusesAMissingForgedOrStaleSignature() throws Exception {
        try (NodeJs receiver = NodeJs.start(RECEIVER, Map.of("SPINE_PUSH_SECRET", SECRET, "PORT", "0"))) {
            URI url = URI.create("http://127.0.0.1:" + port(receiver) + "/jobs");
            byte[] body = ("{\"id\":\"" + UUID.randomUUID() + "\",\"type\":\"DemoJob\",\"queue\":\"interactive\","
                    + "\"attempt\":1,\"payload\":{}}").getBytes(StandardCharsets.UTF_8);
            Instant now = Instant.now();

            assertEquals(401, post(url, body, null).statusCode());
            assertEquals(401, post(url, body, WebhookSignature.sign("not-the-secret-at-all", now, body)).statusCode());
            String stale = WebhookSignature.sign(SECRET, now.minus(Duration.ofMinutes(10)), body);
            assertEquals(401, post(url, body, stale).statusCode());
            byte[] altered = new String(body, StandardCharsets.UTF_8).replace("\"attempt\":1", "\"attempt\":2")
                    .getBytes(StandardCharsets.UTF_8);
            assertEquals(401, post(url, altered, WebhookSignature.sign(SECRET, now, body)).statusCode());
            assertTrue(!receiver.output().contains("completed"), "a refused request ran nothing: " + receiver.output());

            HttpResponse<String> signed = post(url, body, WebhookSignature.sign(SECRET, now, body));
            assertEquals(200, signed.statusCode(), signed.body());
        }
    }

    @Test
    void anInternalTargetIsRefusedAtStartAndOnEachAttemptNamingTheReason(TestDatabase db, TestNats nats) {
        ConfigException atStart = assertThrows(ConfigException.class, () -> SpineServer.builder(
                ServerFixture.config(db, nats, Map.of("SPINE_PUSH_HANDLERS", "DemoJob=http://127.0.0.1:9/jobs",
                        "SPINE_PUSH_SECRET", SECRET))).discoverHandlers(false).build().start());
        assertEquals(PushHandlerSettings.HANDLERS, atStart.variable());
        assertTrue(atStart.getMessage().contains("TARGET_LOOPBACK"), atStart.getMessage());

        // checked again before every POST: an address that became internal fails the attempt with its code
        try (SignedPost post = new SignedPost(WebhookAllowList.none(), Clock.systemUTC())) {
            PushHandler metadata = new PushHandler("DemoJob", URI.create("http://169.254.169.254/latest"), SECRET,
                    post, new ObjectMapper());
            Job job = new Job(UUID.randomUUID(), "interactive", "DemoJob", "{}", 1, 3, 0, null, null, null, null,
                    Instant.now(), Instant.now(), new ObjectMapper());
            PushHandler.PushFailure refused = assertThrows(PushHandler.PushFailure.class, () -> metadata.handle(job));
            assertEquals("TARGET_LINK_LOCAL", refused.code(), refused.getMessage());
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheVariable() {
        ConfigException noSecret = assertThrows(ConfigException.class,
                () -> ServerConfig.from(Map.of("SPINE_PUSH_HANDLERS", "DemoJob=http://example.com/jobs")::get));
        assertEquals(PushHandlerSettings.SECRET, noSecret.variable());
        for (String bad : List.of("DemoJob", "DemoJob=ftp://example.com/x", "9Job=http://example.com/x",
                "DemoJob=http://a.example/x,DemoJob=http://b.example/x", "DemoJob=http://user:pw@example.com/x")) {
            ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.from(
                    Map.of("SPINE_PUSH_HANDLERS", bad, "SPINE_PUSH_SECRET", SECRET)::get), bad);
            assertEquals(PushHandlerSettings.HANDLERS, e.variable(), bad);
        }
        ServerConfig ok = ServerConfig.from(Map.of("SPINE_PUSH_HANDLERS",
                "DemoJob=http://a.example/x, SendEmailJob=https://b.example/jobs", "SPINE_PUSH_SECRET", SECRET)::get);
        assertEquals(Map.of("DemoJob", URI.create("http://a.example/x"), "SendEmailJob",
                URI.create("https://b.example/jobs")), ok.push().endpoints());
        assertEquals(ok.push(), ServerConfig.from(ok.asVariables()::get).push());
    }

    private static JobRequest demo(Map<String, Object> payload) {
        return JobRequest.of("DemoJob", payload).queue("interactive").maxAttempts(3)
                .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(200)));
    }

    private static JobInfo completed(JobQueue jobs, UUID id) {
        return Eventually.awaitValue("job " + id + " completed", Duration.ofSeconds(30),
                () -> jobs.find(id).orElse(null), j -> j != null && j.state().equals("completed"));
    }

    private static int port(NodeJs receiver) {
        String out = Eventually.awaitValue("the receiver listening", Duration.ofSeconds(30), receiver::output,
                o -> LISTENING.matcher(o).find());
        Matcher m = LISTENING.matcher(out);
        m.find();
        return Integer.parseInt(m.group(1));
    }

    private static HttpResponse<String> post(URI url, byte[] body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10));
        if (signature != null) {
            b.header(WebhookSignature.HEADER, signature);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
