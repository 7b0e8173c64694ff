package dev.spine.server.http;

import dev.spine.events.postgres.OutboxDeadLetter;
import dev.spine.gateway.http.JsonReplies;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** An outbox dead letter as JSON, the same for the admin API and {@code spine outbox dead-letters list --json}. */
public final class OutboxDeadLetterView {
    private OutboxDeadLetterView() {}

    /**
     * Its fields; {@code event} is the envelope as JSON when it parses (a row refused as malformed does not:
     * then {@code event} is null and {@code payloadBase64} holds its bytes).
     */
    public static Map<String, Object> of(OutboxDeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("outboxId", d.outboxId());
        m.put("eventId", d.eventId().toString());
        m.put("eventType", d.eventType());
        m.put("partitionKey", d.partitionKey());
        m.put("attempts", d.attempts());
        m.put("permanent", d.permanent());
        m.put("lastError", d.lastError());
        m.put("createdAt", d.createdAt().toString());
        m.put("deadAt", d.deadAt().toString());
        Object event = null;
        try {
            event = JsonReplies.MAPPER.readTree(d.payload());
        } catch (java.io.IOException e) { // not JSON: the reason it was refused; its bytes as they are
            m.put("payloadBase64", Base64.getEncoder().encodeToString(d.payload()));
        }
        m.put("event", event);
        return m;
    }
}
