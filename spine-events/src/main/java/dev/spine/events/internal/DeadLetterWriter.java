package dev.spine.events.internal;

import dev.spine.events.StreamTopology;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Clock;

/**
 * Copies a poison message to the dead-letter stream with its original headers and body plus the
 * reason, the error and where it came from. The copy's {@code Nats-Msg-Id} is derived from the
 * original stream and sequence, so writing the same dead letter twice (crash before term) stores it once.
 */
public final class DeadLetterWriter {
    private static final int MAX_ERROR_LENGTH = 2000;

    private final JetStream js;
    private final StreamTopology topology;
    private final Clock clock;

    public DeadLetterWriter(JetStream js, StreamTopology topology, Clock clock) {
        this.js = js;
        this.topology = topology;
        this.clock = clock;
    }

    /**
     * Stores the dead letter and waits for the stream's acknowledgement.
     *
     * @throws IOException or JetStreamApiException if it was not stored; the caller must then not
     *     terminate the original
     */
    public void write(Message original, String consumer, String reason, Throwable error)
            throws IOException, JetStreamApiException {
        NatsJetStreamMetaData meta = original.metaData();
        Headers headers = new Headers();
        if (original.hasHeaders()) {
            for (String key : original.getHeaders().keySet()) {
                headers.put(key, original.getHeaders().get(key));
            }
            String msgId = original.getHeaders().getFirst(SpineHeaders.MSG_ID);
            if (msgId != null) {
                headers.put(SpineHeaders.ORIGINAL_MSG_ID, msgId);
            }
        }
        headers.put(SpineHeaders.MSG_ID, "dl:" + meta.getStream() + ":" + meta.streamSequence());
        headers.put(SpineHeaders.DEAD_REASON, reason);
        headers.put(SpineHeaders.DEAD_ERROR, describe(error));
        headers.put(SpineHeaders.DEAD_AT, clock.instant().toString());
        headers.put(SpineHeaders.ORIGINAL_SUBJECT, original.getSubject());
        headers.put(SpineHeaders.ORIGINAL_STREAM, meta.getStream());
        headers.put(SpineHeaders.ORIGINAL_SEQUENCE, Long.toString(meta.streamSequence()));
        headers.put(SpineHeaders.CONSUMER, consumer);
        headers.put(SpineHeaders.DELIVERIES, Long.toString(meta.deliveredCount()));
        String subject = topology.deadLetterSubject(topology.eventTypeOf(original.getSubject()));
        js.publish(NatsMessage.builder().subject(subject).headers(headers).data(original.getData()).build());
    }

    /** One header line: class and message, printable ASCII only (NATS headers carry nothing else). */
    static String describe(Throwable error) {
        String s = error.getClass().getName() + ": " + error.getMessage();
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_ERROR_LENGTH));
        for (int i = 0; i < s.length() && out.length() < MAX_ERROR_LENGTH; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : ' ');
        }
        return out.toString();
    }
}
