package dev.spine.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.PublishResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine publish <eventType> [<data-json>] [--file F]}: one event on the platform stream, as any
 * service would publish it. Prints where it was stored and whether JetStream saw it before (same
 * event id inside the duplicate window).
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publishes one event (the data as a JSON object argument or from --file).")
final class PublishCommand extends SpineCommand {
    @Parameters(index = "0", paramLabel = "EVENT_TYPE", description = "domain.NounVerb, e.g. data.EntityCreated")
    String eventType;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DATA_JSON", description = "the event's data, a JSON object")
    String data;

    @Option(names = "--file", paramLabel = "FILE", description = "read the data (a JSON object) from this file")
    Path file;

    @Option(names = "--source", defaultValue = "spine-cli", description = "the publishing service (default: ${DEFAULT-VALUE})")
    String source;

    @Option(names = "--correlation-id", paramLabel = "UUID", description = "correlation id (default: a new one)")
    UUID correlationId;

    @Option(names = "--event-id", paramLabel = "UUID", description = "event id (default: a new one; reuse it to retry safely)")
    UUID eventId;

    @Override
    int run(Backends backends) throws IOException {
        EventEnvelope.Builder event = EventEnvelope.builder().eventType(eventType).source(source).data(data());
        if (correlationId != null) {
            event.correlationId(correlationId);
        }
        if (eventId != null) {
            event.eventId(eventId);
        }
        EventEnvelope envelope = event.build();
        PublishResult r = backends.spine().publish(envelope);
        out().printf("stream=%s sequence=%d duplicate=%s eventId=%s correlationId=%s%n", r.stream(), r.sequence(),
                r.duplicate(), envelope.eventId(), envelope.correlationId());
        return OK;
    }

    private ObjectNode data() throws IOException {
        if ((data == null) == (file == null)) {
            throw CommandFailure.invalid("MISSING_FIELD", "data", "give the data either as an argument or with --file");
        }
        String json;
        try {
            json = data != null ? data : Files.readString(file);
        } catch (NoSuchFileException e) {
            throw CommandFailure.invalid("INVALID_FIELD", "file", "no such file: " + file);
        }
        JsonNode node;
        try {
            node = EventCodec.defaults().objectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(InvalidEventException.Code.MALFORMED_JSON, "data",
                    "not JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_FIELD, "data",
                    "must be a JSON object, was " + node.getNodeType());
        }
        return object;
    }
}
