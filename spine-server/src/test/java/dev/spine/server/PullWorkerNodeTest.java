package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.NodeJs;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Node pull worker example ({@code examples/node-pull-worker/worker.js}) against a started server: it runs
 * its job types through success, a failure that retries, and a timeout the server enforces; killed mid-job, its
 * job is rescued and run once by a second worker. Also the pull routes' errors over HTTP.
 */
@ExtendWith(SpineServices.class)
class PullWorkerNodeTest {
    private static final Path WORKER = Path.of("../examples/node-pull-worker/worker.js");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static SpineServer server(TestDatabase db, TestNats nats) {
        return SpineServer.builder(ServerFixture.config(db, nats, Map.of("SPINE_WORKER_STALE_AFTER", "2s")))
                .discoverHandlers(false).build().start();
    }

    private static NodeJs worker(SpineServer server) throws Exception {
        NodeJs node = NodeJs.start(WORKER, Map.of("SPINE_URL", "http://" + server.adminAddress(),
                "SPINE_ADMIN_TOKEN", AdminClient.TOKEN, "SPINE_QUEUES", "background", "SPINE_HEARTBEAT_MS", "300",
                "SPINE_WAIT_MS", "10000"));
        Eventually.await("the node worker registered: " + node.output(), WAIT, () -> node.output().contains("registered "));
        return node;
    }

    @Test
    void theNodeWorkerRunsSuccessARetriedFailureAndATimeout(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer server = server(db, nats); NodeJs node = worker(server)) {
            JobQueue jobs = server.engine().jobs();
            JsonNode registry = new AdminClient(server).get("/v1/workers").json();
            assertTrue(registry.toString().contains("\"types\":[\"ProcessIncomingDataJob\",\"example.Echo\",\"example.Flaky\",\"example.Sleep\"]"),
                    "the node worker's types are in the registry: " + registry);

            UUID echo = jobs.enqueue(JobRequest.of("example.Echo", Map.of("hello", "node")).queue("background"));
            UUID flaky = jobs.enqueue(JobRequest.of("example.Flaky", Map.of("failTimes", 1, "retryDelayMs", 0))
                    .queue("background").maxAttempts(3));
            UUID slow = jobs.enqueue(JobRequest.of("example.Sleep", Map.of("ms", 3000)).queue("background")
                    .maxAttempts(1).timeout(Duration.ofMillis(500)));

            assertEquals("completed", finalState(jobs, echo, node));
            assertTrue(node.output().contains("echo {\"hello\":\"node\"}"), node.output());
            assertEquals("completed", finalState(jobs, flaky, node));
            JobInfo flakyDone = jobs.find(flaky).orElseThrow();
            assertEquals(2, flakyDone.attempt(), "failed once, then completed: " + flakyDone);
            assertTrue(flakyDone.errorsJson().contains("flaky failure on attempt 1"), flakyDone.errorsJson());
            assertTrue(node.output().contains("failed example.Flaky " + flaky + " attempt 1"), node.output());
            Eventually.await("the worker logged the second attempt's complete: " + node.output(), WAIT,
                    () -> node.output().contains("completed example.Flaky " + flaky + " attempt 2"));

            DeadJob dead = Eventually.awaitValue("the slow job timed out", WAIT,
                    () -> jobs.deadJobs("background", "example.Sleep", 10), l -> !l.isEmpty()).get(0);
            assertEquals(slow, dead.id());
            assertTrue(dead.errorsJson().contains("timed out after 500 ms"), dead.errorsJson());
            Eventually.await("the worker's late complete is refused: " + node.output(), WAIT,
                    () -> node.output().contains("lost example.Sleep " + slow + " attempt 1: NOT_HELD"));
        }
    }

    @Test
    void aWorkerKilledMidJobHasItsJobRescuedAndRunOnceByAnother(TestDatabase db, TestNats nats) throws Exception {
        try (SpineServer server = server(db, nats)) {
            JobQueue jobs = server.engine().jobs();
            UUID id;
            String firstOutput;
            try (NodeJs first = worker(server)) {
                // the first attempt takes ten minutes, the second 10 ms
                id = jobs.enqueue(JobRequest.of("example.Sleep", Map.of("ms", List.of(600_000, 10)))
                        .queue("background").timeout(Duration.ofMinutes(15)));
                Eventually.await("the first worker started the job", WAIT,
                        () -> first.output().contains("started example.Sleep " + id + " attempt 1"));
                first.kill();
                firstOutput = first.output();
            }
            try (NodeJs second = worker(server)) {
                assertEquals("completed", finalState(jobs, id, second));
                // the worker logs its complete once the server has answered it: the job's row can be first
                String out = Eventually.awaitValue("the second worker logged its complete", WAIT, second::output,
                        o -> o.contains("completed example.Sleep " + id));
                assertEquals(1, count(out, "started example.Sleep " + id), out);
                assertEquals(1, count(out, "completed example.Sleep " + id + " attempt 2"), out);
                assertFalse(firstOutput.contains("completed"), firstOutput);
                JobInfo done = jobs.find(id).orElseThrow();
                assertEquals(2, done.attempt());
                assertTrue(done.errorsJson().contains("rescued"), done.errorsJson());
            }
        }
    }

    @Test
    void thePullRoutesAnswerBadInputWithItsFieldAndAnotherWorkersJobWith409(TestDatabase db, TestNats nats) {
        try (SpineServer server = server(db, nats)) {
            AdminClient api = new AdminClient(server);
            String t = AdminClient.TOKEN;
            assertEquals(401, api.post("/v1/workers", "{\"queues\":[\"background\"],\"types\":[\"X\"]}", null).status());
            AdminClient.Reply noTypes = api.post("/v1/workers", "{\"queues\":[\"background\"]}", t);
            assertEquals(400, noTypes.status());
            assertEquals("types", noTypes.field());
            AdminClient.Reply badQueue = api.post("/v1/workers", "{\"queues\":[\"nope\"],\"types\":[\"X\"]}", t);
            assertEquals(400, badQueue.status());
            assertEquals("queues[0]", badQueue.field());

            String a = api.post("/v1/workers", "{\"queues\":[\"background\"],\"types\":[\"X\"]}", t).json()
                    .path("id").asText();
            String b = api.post("/v1/workers", "{\"queues\":[\"background\"],\"types\":[\"X\"]}", t).json()
                    .path("id").asText();
            AdminClient.Reply badMax = api.post("/v1/workers/" + a + "/fetch", "{\"max\":0}", t);
            assertEquals(400, badMax.status());
            assertEquals("max", badMax.field());
            assertEquals(404, api.post("/v1/workers/" + UUID.randomUUID() + "/fetch", "{}", t).status());

            UUID id = server.engine().jobs().enqueue(JobRequest.of("X", Map.of()).queue("background"));
            JsonNode fetched = api.post("/v1/workers/" + a + "/fetch", "{\"max\":5,\"waitMs\":5000}", t).json();
            assertEquals(id.toString(), fetched.path("items").get(0).path("id").asText(), fetched.toString());
            assertEquals(1, fetched.path("items").get(0).path("attempt").asInt());

            AdminClient.Reply stolen = api.post("/v1/jobs/" + id + "/complete", "{\"workerId\":\"" + b + "\"}", t);
            assertEquals(409, stolen.status());
            assertEquals("NOT_HELD", stolen.errorCode());
            AdminClient.Reply noWorker = api.post("/v1/jobs/" + id + "/fail", "{}", t);
            assertEquals(400, noWorker.status());
            assertEquals("workerId", noWorker.field());
            AdminClient.Reply badDelay = api.post("/v1/jobs/" + id + "/fail",
                    "{\"workerId\":\"" + a + "\",\"retryDelayMs\":-1}", t);
            assertEquals("retryDelayMs", badDelay.field());
            AdminClient.Reply otherAttempt = api.post("/v1/jobs/" + id + "/complete",
                    "{\"workerId\":\"" + a + "\",\"attempt\":2}", t);
            assertEquals(409, otherAttempt.status(), "the worker holds attempt 1, not 2");
            AdminClient.Reply badAttempt = api.post("/v1/jobs/" + id + "/complete",
                    "{\"workerId\":\"" + a + "\",\"attempt\":0}", t);
            assertEquals("attempt", badAttempt.field());
            assertEquals(200, api.post("/v1/jobs/" + id + "/complete", "{\"workerId\":\"" + a + "\",\"attempt\":1}",
                    t).status());
            assertEquals("completed", server.engine().jobs().find(id).orElseThrow().state());
            assertEquals(200, api.delete("/v1/workers/" + a, t).status());
            assertEquals(404, api.post("/v1/workers/" + a + "/heartbeat", "{}", t).status());
        }
    }

    /** Waits until the job left the hot table and returns its archived state. */
    private static String finalState(JobQueue jobs, UUID id, NodeJs node) {
        return Eventually.awaitValue("job " + id + " finished; worker said: " + node.output(), WAIT,
                () -> jobs.find(id).map(JobInfo::state).orElse("gone"),
                s -> !s.equals("available") && !s.equals("running"));
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
