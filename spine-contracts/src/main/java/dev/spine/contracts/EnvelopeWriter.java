package dev.spine.contracts;

import static dev.spine.contracts.internal.EnvelopeFields.*;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.internal.UtcMillis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Encodes an envelope with Jackson's streaming generator in canonical field order (required fields,
 * then optional ones, then extensions in arrival order), so decode-then-encode of a canonical
 * payload gives back the same bytes.
 */
final class EnvelopeWriter {
    private static final int INITIAL_BUFFER = 512;

    private final ObjectMapper mapper;
    private final int maxPayloadBytes;

    EnvelopeWriter(ObjectMapper mapper, int maxPayloadBytes) {
        this.mapper = mapper;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    byte[] write(EventEnvelope e) {
        ByteArrayBuilder out = new ByteArrayBuilder(INITIAL_BUFFER);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(EVENT_ID, e.eventId().toString());
            g.writeStringField(EVENT_TYPE, e.eventType());
            g.writeStringField(EVENT_VERSION, e.eventVersion());
            g.writeStringField(TIMESTAMP, UtcMillis.format(e.timestamp()));
            g.writeStringField(SOURCE, e.source());
            g.writeStringField(CORRELATION_ID, e.correlationId().toString());
            g.writeFieldName(DATA);
            if (!e.writeRawData(g)) {
                mapper.writeTree(g, e.data());
            }
            if (e.causationId() != null) {
                g.writeStringField(CAUSATION_ID, e.causationId().toString());
            }
            if (e.tenantId() != null) {
                g.writeStringField(TENANT_ID, e.tenantId());
            }
            if (e.traceContext() != null) {
                g.writeObjectFieldStart(TRACE_CONTEXT);
                g.writeStringField(TRACEPARENT, e.traceContext().traceparent());
                if (e.traceContext().tracestate() != null) {
                    g.writeStringField(TRACESTATE, e.traceContext().tracestate());
                }
                g.writeEndObject();
            }
            for (Map.Entry<String, JsonNode> x : e.extensions().entrySet()) {
                g.writeFieldName(x.getKey());
                mapper.writeTree(g, x.getValue());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            // writing into memory cannot fail for I/O reasons; surface anything that does
            throw new UncheckedIOException("cannot encode " + e, ex);
        }
        byte[] bytes = out.toByteArray();
        if (bytes.length > maxPayloadBytes) {
            throw new InvalidEventException(InvalidEventException.Code.PAYLOAD_TOO_LARGE, null,
                    bytes.length + " bytes exceeds the maximum of " + maxPayloadBytes);
        }
        return bytes;
    }
}
