package dev.spine.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.events.postgres.EventTables;
import dev.spine.server.AdminClient;
import dev.spine.server.ServerFixture;
import dev.spine.server.SpineServer;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outbox dead letters through the admin API and {@code spine outbox dead}: list, retry (back into the outbox), delete. */
@ExtendWith(SpineServices.class)
class OutboxCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "test-token";

    @Test
    void deadLettersAreListedRetriedAndDeletedOverHttpAndTheCommandLine(TestDatabase db, TestNats nats) throws Exception {
        EventTables.schemaMigrator(db.dataSource(), db.schema()).migrate();
        UUID viaApi = deadLetter(db, "order-1");
        UUID viaCli = deadLetter(db, "order-2");
        UUID gone = deadLetter(db, null);
        try (SpineServer service = SpineServer.builder(ServerFixture.config(db, nats,
                Map.of("SPINE_OUTBOX_SCHEMA", db.schema()))).discoverHandlers(false).build().start()) {
            AdminClient api = new AdminClient(service);
            JsonNode items = api.get("/v1/outbox/dead-letters").json().path("items");
            assertEquals(3, items.size(), items.toString());
            assertEquals(gone.toString(), items.get(0).path("eventId").asText(), "newest first");
            assertEquals("order-1", items.get(2).path("partitionKey").asText());
            assertEquals("data.EntityUpdated", items.get(2).path("event").path("eventType").asText());
            long apiId = items.get(2).path("id").asLong();

            assertEquals(401, api.post("/v1/outbox/dead-letters/" + apiId + "/retry", "", null).status());
            AdminClient.Reply retried = api.post("/v1/outbox/dead-letters/" + apiId + "/retry", "", ADMIN);
            assertEquals(200, retried.status(), retried.body());
            assertEquals(1, db.queryLong("select count(*) from " + db.schema() + ".outbox where sent_at is null and event_id = '"
                    + viaApi + "' and partition_key = 'order-1'"), "back in the outbox, due");
            assertEquals(404, api.post("/v1/outbox/dead-letters/" + apiId + "/retry", "", ADMIN).status());
            assertEquals(400, api.post("/v1/outbox/dead-letters/abc/retry", "", ADMIN).status());

            CliTest.Run list = CliTest.spine(args(db, nats, "outbox", "dead-letters", "list", "--json"));
            assertEquals(0, list.exit(), list.err());
            JsonNode listed = JSON.readTree(list.out()).path("items");
            assertEquals(2, listed.size(), list.out());
            long cliId = listed.get(1).path("id").asLong();
            assertEquals(viaCli.toString(), listed.get(1).path("eventId").asText());
            CliTest.Run table = CliTest.spine(args(db, nats, "outbox", "dead-letters", "list"));
            assertTrue(table.out().contains(viaCli.toString()) && table.out().contains("order-2"), table.out());

            CliTest.Run retry = CliTest.spine(args(db, nats, "outbox", "dead-letters", "retry", String.valueOf(cliId), "--json"));
            assertEquals(0, retry.exit(), retry.err());
            assertTrue(JSON.readTree(retry.out()).path("outboxId").asLong() > 0, retry.out());
            CliTest.Run again = CliTest.spine(args(db, nats, "outbox", "dead-letters", "retry", String.valueOf(cliId)));
            assertEquals(SpineCommand.NOT_FOUND, again.exit(), again.err());

            long goneId = JSON.readTree(CliTest.spine(args(db, nats, "outbox", "dead-letters", "list", "--json")).out())
                    .path("items").get(0).path("id").asLong();
            assertEquals(0, CliTest.spine(args(db, nats, "outbox", "dead-letters", "delete", String.valueOf(goneId))).exit());
            assertEquals(0, api.get("/v1/outbox/dead-letters").json().path("items").size());
            assertEquals(404, api.delete("/v1/outbox/dead-letters/" + goneId, ADMIN).status());

            CliTest.Run badSchema = CliTest.spine(args(db, nats, "outbox", "dead-letters", "list", "--outbox-schema", "Bad-Name"));
            assertEquals(SpineCommand.INVALID, badSchema.exit());
            assertTrue(badSchema.err().contains("INVALID_FIELD outbox-schema"), badSchema.err());
        }
    }

    private static String[] args(TestDatabase db, TestNats nats, String... command) {
        List<String> all = new ArrayList<>(CliTest.on(db, nats, command));
        if (List.of(command).contains("--outbox-schema")) {
            return all.toArray(String[]::new);
        }
        all.addAll(List.of("--outbox-schema", db.schema()));
        return all.toArray(String[]::new);
    }

    /** A dead letter as the relay leaves one (its path is OutboxDeadLetterTest's), with a valid envelope. */
    private static UUID deadLetter(TestDatabase db, String key) throws SQLException {
        UUID id = UUID.randomUUID();
        String envelope = "{\"eventId\":\"" + id + "\",\"eventType\":\"data.EntityUpdated\",\"eventVersion\":\"1.0\","
                + "\"timestamp\":\"2026-01-01T12:00:00.000Z\",\"source\":\"test\",\"correlationId\":\"" + id
                + "\",\"data\":{}}";
        try (Connection c = db.dataSource().getConnection(); PreparedStatement p = c.prepareStatement("insert into "
                + db.schema() + ".outbox_dead_letters (outbox_id, event_id, event_type, partition_key, payload, created_at,"
                + " attempts, last_error, permanent) values (1, ?, 'data.EntityUpdated', ?, ?, now(), 25, 'no stream', false)")) {
            p.setObject(1, id);
            p.setString(2, key);
            p.setBytes(3, envelope.getBytes(StandardCharsets.UTF_8));
            p.executeUpdate();
        }
        return id;
    }
}
