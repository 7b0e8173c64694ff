package dev.spine.server.cli;

import static dev.spine.server.cli.CliTest.on;
import static dev.spine.server.cli.CliTest.spine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.server.cli.CliTest.Run;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code spine workers} against a running worker process in the test's schema. */
@ExtendWith(SpineServices.class)
class WorkersCommandTest {

    @Test
    void workersListsEachProcessAndTheTypesNobodyServes(TestDatabase db, TestNats nats) throws Exception {
        try (JobQueue worker = JobQueue.builder(db.dataSource()).schema(db.schema()).handler("SendEmail", job -> { })
                .work("interactive", 3).build()) {
            worker.start();
            worker.enqueue(JobRequest.of("ProcessIncomingDataJob", Map.of()).queue("background"));
            worker.enqueue(JobRequest.of("ProcessIncomingDataJob", Map.of()).queue("background"));

            Run text = spine(on(db, nats, "workers").toArray(String[]::new));
            assertEquals(0, text.exit(), text.err());
            assertTrue(text.out().matches("(?s).*" + worker.workerId() + "\\s+\\S+\\s+yes\\s+\\S+\\s+interactive:3\\s+"
                    + "SendEmail\\n.*"), text.out());
            assertTrue(text.out().matches("(?s).*\\nbackground\\s+ProcessIncomingDataJob\\s+2\\n.*"), text.out());

            Run json = spine(on(db, nats, "workers", "--json").toArray(String[]::new));
            assertEquals(0, json.exit(), json.err());
            JsonNode doc = new ObjectMapper().readTree(json.out());
            assertEquals(worker.workerId().toString(), doc.path("items").get(0).path("id").asText());
            assertEquals(3, doc.path("items").get(0).path("queues").path("interactive").asInt());
            assertEquals("[{\"queue\":\"background\",\"type\":\"ProcessIncomingDataJob\",\"waiting\":2}]",
                    doc.path("unserved").toString());
        }
    }
}
