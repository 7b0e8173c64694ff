package dev.spine.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.StoredEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --json} output of the listing commands (and {@code tail}'s JSON Lines, {@link #event}): one JSON array of
 * the rows on stdout, each row the record's
 * components by name, instants in ISO-8601, and a component holding JSON text ({@code payloadJson},
 * {@code errorsJson}) embedded as JSON under the name without the suffix ({@code payload}, {@code errors}),
 * so {@code jq '.[].errors[-1].error'} works.
 */
final class JsonOutput {
    private static final String JSON_SUFFIX = "Json";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private JsonOutput() {}

    /** Prints {@code rows} (records) as one JSON array and a newline. */
    static void print(PrintWriter out, List<?> rows) throws JsonProcessingException {
        ArrayNode array = JSON.createArrayNode();
        for (Object row : rows) {
            array.add(row(row));
        }
        out.println(JSON.writeValueAsString(array));
    }

    /**
     * One stored event as a JSON Lines object: {@code {"sequence":..,"subject":..,"event":{envelope}}}, or, for a
     * malformed one, {@code "malformed":{"code":..,"field":..,"message":..}} and the raw text instead of
     * {@code "event"}.
     */
    static String event(StoredEvent stored) {
        ObjectNode node = JSON.createObjectNode().put("sequence", stored.sequence()).put("subject", stored.subject());
        try {
            stored.envelope(); // decodes and validates: the stored text is an envelope
            node.set("event", JSON.readTree(stored.data()));
        } catch (InvalidEventException | java.io.IOException e) {
            ObjectNode malformed = node.putObject("malformed");
            if (e instanceof InvalidEventException invalid) {
                malformed.put("code", invalid.code().name()).put("field", invalid.field());
            }
            malformed.put("message", e.getMessage());
            node.put("raw", new String(stored.data(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return node.toString();
    }

    /** One row (a record) as an object, JSON text components embedded. */
    static ObjectNode row(Object row) throws JsonProcessingException {
        ObjectNode node = JSON.valueToTree(row);
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add); // copied: the loop renames fields
        for (String name : names) {
            if (name.endsWith(JSON_SUFFIX)) {
                JsonNode text = node.remove(name);
                // null stays null: a job without errors yet
                node.set(name.substring(0, name.length() - JSON_SUFFIX.length()),
                        text.isTextual() ? JSON.readTree(text.asText()) : text);
            }
        }
        return node;
    }
}
