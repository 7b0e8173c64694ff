package dev.spine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    @Test
    void theDefaultsRouteThePlatformsEvents() {
        RoutingTable t = RoutingTable.defaults();
        assertEquals(List.of("ProcessIncomingDataJob"), jobs(t, "connector.DataReceived"));
        assertEquals(List.of("IndexDocumentJob"), jobs(t, "data.EntityCreated"));
        assertEquals(List.of("IndexDocumentJob"), jobs(t, "data.EntityUpdated"));
        assertEquals(List.of("RunRuleEngineJob"), jobs(t, "communication.MessageReceived"));
        assertEquals(List.of("RunRuleEngineJob"), jobs(t, "connector.LocationUpdated"));
        assertEquals(List.of("ExecuteLLMQueryJob"), jobs(t, "ai.QueryReceived"));
        assertEquals(List.of("SendOutgoingMessageJob"), jobs(t, "rule.SendMessageRequested"));
        assertEquals(List.of("PlaceCallJob"), jobs(t, "rule.PlaceCallRequested"));
        assertEquals(List.of("SendFaxJob"), jobs(t, "rule.SendFaxRequested"));
        assertEquals(List.of("WriteEntityJob"), jobs(t, "data.EtlOutputProduced"));
        assertEquals(List.of(), jobs(t, "system.HeartbeatSent"));
        assertEquals("realtime", t.match("communication.CallStarted").get(0).queue());
        assertEquals(Duration.ofSeconds(5), t.match("communication.CallStarted").get(0).timeout());
        assertEquals("SyncConnectorDataJob", t.schedules().get(0).job().type());
    }

    @Test
    void oneEventMayFanOutAndJobEventsNeedAnExplicitRoute() {
        RoutingTable t = parse("""
                routes:
                  - match: "*.*"
                    job: AuditJob
                  - match: data.Entity*
                    job: IndexJob
                  - match: job.Failed
                    job: AlertJob
                """);
        assertEquals(List.of("AuditJob", "IndexJob"), jobs(t, "data.EntityCreated"));
        assertEquals(List.of("AlertJob"), jobs(t, "job.Failed"), "*.* does not swallow the job domain");
        assertEquals(List.of(), jobs(t, "job.Completed"));
    }

    @Test
    void aRouteThatWouldFeedOnItsOwnLifecycleEventsIsRefused() {
        RoutingTable t = parse("""
                routes:
                  - match: data.EntityCreated
                    job: IndexJob
                  - match: job.*
                    job: AuditJob
                """);
        RoutingException e = assertThrows(RoutingException.class,
                () -> t.refuseFeedback(List.of("job.Enqueued", "job.Completed", "job.Failed")));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("feed"), e.getMessage());
    }

    @Test
    void mistakesNameTheLineAndTheReason() {
        failsAt(3, "unknown field 'jbo'", """
                routes:
                  - match: data.EntityCreated
                    jbo: IndexJob
                """);
        failsAt(4, "not an event type pattern", """
                routes:
                  - match: data.EntityCreated
                    job: A
                  - match: NotAType
                    job: B
                """);
        failsAt(2, "'job' is required", """
                routes:
                  - match: data.EntityCreated
                """);
        failsAt(4, "not a duration", """
                routes:
                  - match: data.EntityCreated
                    job: A
                    timeout: soon
                """);
        failsAt(4, "'maxAttempts' must be a whole number", """
                routes:
                  - match: data.EntityCreated
                    job: A
                    maxAttempts: 0
                """);
        failsAt(6, "not a valid cron expression", """
                routes:
                  - match: data.EntityCreated
                    job: A
                schedules:
                  - name: sync
                    cron: "every day"
                    job: SyncJob
                """);
        failsAt(3, "not valid YAML", "routes:\n  - match: [a.B\n    job: x: y\n");
        failsAt(1, "unknown section 'rutes'", "rutes: []\n");
    }

    @Test
    void pushHandlersNameAJobTypeAndAUrlOnceEach() {
        RoutingTable t = parse("""
                routes:
                  - match: rule.SendMessageRequested
                    job: SendOutgoingMessageJob
                pushHandlers:
                  - job: SendOutgoingMessageJob
                    url: https://messaging.internal/spine/jobs
                """);
        assertEquals(Map.of("SendOutgoingMessageJob", java.net.URI.create("https://messaging.internal/spine/jobs")),
                t.pushHandlers());
        assertEquals(Map.of(), parse("routes:\n  - match: data.EntityCreated\n    job: A\n").pushHandlers());
        String route = "routes:\n  - match: data.EntityCreated\n    job: A\npushHandlers:\n";
        failsAt(6, "must be an http:// or https:// URL", route + "  - job: A\n    url: ftp://files.internal/x\n");
        failsAt(6, "must be an http:// or https:// URL", route + "  - job: A\n    url: http://u:p@hooks.internal/x\n");
        failsAt(6, "unknown field 'uri'", route + "  - job: A\n    uri: http://hooks.internal/x\n");
        failsAt(7, "has a push handler already", route + "  - job: A\n    url: http://a.internal/x\n"
                + "  - job: A\n    url: http://b.internal/x\n");
    }

    private static void failsAt(int line, String reason, String yaml) {
        RoutingException e = assertThrows(RoutingException.class, () -> parse(yaml));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.yaml:" + line + ": "), e.getMessage());
    }

    private static RoutingTable parse(String yaml) {
        return RoutingTable.parse(yaml, "test.yaml");
    }

    private static List<String> jobs(RoutingTable t, String eventType) {
        return t.match(eventType).stream().map(Route::jobType).toList();
    }
}
