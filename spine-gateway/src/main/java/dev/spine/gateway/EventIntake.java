package dev.spine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublishException;
import dev.spine.events.EventPublisher;
import dev.spine.events.PublishResult;
import dev.spine.gateway.http.ApiException;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Accepts one event published over HTTP: fills the envelope fields a caller may leave out (eventId,
 * timestamp, eventVersion, source = the publisher's name, correlationId = the eventId) after adapting a legacy
 * shape (see {@link EnvelopeAdapter}: its retries get the same eventId), validates it with
 * the platform's codec, checks the publisher may publish its type, and publishes it on the bus. The
 * answer carries the stream sequence as receipt; the same eventId sent again gets the first receipt and
 * is not published again.
 */
final class EventIntake {
    /** An accepted event: its id and timestamp, where it is stored, and whether it was accepted before. */
    record Accepted(UUID eventId, String timestamp, Receipts.Receipt receipt, boolean duplicate) {}

    private final EventPublisher publisher;
    private final Receipts receipts;
    private final EventCodec codec;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final int maxBytes;
    private final BusMetrics metrics;
    /** Adapts legacy shapes; null: they are refused like any invalid envelope. */
    private final EnvelopeAdapter adapter;

    EventIntake(EventPublisher publisher, EventCodec codec, Receipts receipts, Clock clock, int maxBytes,
            BusMetrics metrics, EnvelopeAdapter adapter) {
        this.metrics = metrics;
        this.adapter = adapter;
        this.publisher = publisher;
        this.receipts = receipts;
        this.codec = codec;
        this.mapper = codec.objectMapper();
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    Accepted publish(Publisher publisher, byte[] body) throws SQLException {
        if (body.length > maxBytes) {
            throw new ApiException(413, "PAYLOAD_TOO_LARGE", "the event is " + body.length
                    + " bytes; at most " + maxBytes + " are accepted (SPINE_BUS_MAX_EVENT_BYTES)",
                    Map.of("field", "body", "limit", maxBytes));
        }
        ObjectNode json = parse(body);
        EnvelopeAdapter.Shape shape = adapter == null ? null : adapter.adapt(json, publisher.name());
        EventEnvelope event = codec.decode(withDefaults(json, publisher));
        if (shape != null) {
            metrics.adapted(shape);
        }
        if (!publisher.mayPublish(event.eventType())) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("field", "eventType");
            details.put("eventType", event.eventType());
            details.put("allowedEventTypes", publisher.allowedTypes());
            throw new ApiException(403, "EVENT_TYPE_NOT_ALLOWED", "publisher " + publisher.name()
                    + " may not publish " + event.eventType(), details);
        }
        var earlier = receipts.find(event.eventId());
        if (earlier.isPresent()) {
            metrics.duplicates.inc();
            return accepted(event.eventId(), earlier.get(), true);
        }
        PublishResult r;
        try {
            r = this.publisher.publish(event);
        } catch (EventPublishException e) {
            throw new ApiException(503, "PUBLISH_FAILED", "the broker did not take the event: " + e.getMessage()
                    + "; retry with the same eventId", Map.of("eventId", event.eventId().toString()));
        }
        metrics.published.inc();
        Receipts.Receipt receipt = receipts.record(event.eventId(),
                new Receipts.Receipt(r.stream(), r.sequence(), event.timestamp()), publisher.id());
        return accepted(event.eventId(), receipt, r.duplicate() || receipt.sequence() != r.sequence());
    }

    private static Accepted accepted(UUID eventId, Receipts.Receipt receipt, boolean duplicate) {
        return new Accepted(eventId, Timestamps.format(receipt.timestamp()), receipt, duplicate);
    }

    private ObjectNode parse(byte[] body) {
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (IOException e) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body is not JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw ApiException.invalid("INVALID_JSON", "body", "the body must be a JSON object (an event envelope)");
        }
        return (ObjectNode) json;
    }

    /** The envelope with the fields an HTTP caller may leave out filled in. */
    private byte[] withDefaults(ObjectNode json, Publisher publisher) {
        if (!json.hasNonNull("eventId")) {
            json.put("eventId", UUID.randomUUID().toString());
        }
        if (!json.hasNonNull("timestamp")) {
            json.put("timestamp", Timestamps.format(clock.instant()));
        }
        if (!json.hasNonNull("eventVersion")) {
            json.put("eventVersion", EventEnvelope.DEFAULT_EVENT_VERSION);
        }
        if (!json.hasNonNull("source")) {
            json.put("source", publisher.name());
        }
        if (!json.hasNonNull("correlationId")) {
            json.set("correlationId", json.get("eventId"));
        }
        if (!json.has("data")) {
            json.putObject("data");
        }
        try {
            return mapper.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed tree always serialises", e);
        }
    }
}
