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
     * Stores the dead letter of a delivered message and waits for the stream's acknowledgement.
     *
     * @throws IOException or JetStreamApiException if it was not stored; the caller must then not
     *     terminate the original
     */
    public void write(Message original, String consumer, String reason, Throwable error)
            throws IOException, JetStreamApiException {
        NatsJetStreamMetaData meta = original.metaData();
        write(original.getSubject(), original.hasHeaders() ? original.getHeaders() : null, original.getData(),
                meta.getStream(), meta.streamSequence(), meta.deliveredCount(), consumer, reason, describe(error));
    }

    /**
     * Stores a dead letter from a message read back from its stream (the max-deliveries advisory path,
     * where no delivery is at hand).
     */
    public void write(String subject, Headers originalHeaders, byte[] data, String stream, long sequence,
            long deliveries, String consumer, String reason, String error) throws IOException, JetStreamApiException {
        Headers headers = new Headers();
        if (originalHeaders != null) {
            for (String key : originalHeaders.keySet()) {
                headers.put(key, originalHeaders.get(key));
            }
            String msgId = originalHeaders.getFirst(SpineHeaders.MSG_ID);
            if (msgId != null) {
                headers.put(SpineHeaders.ORIGINAL_MSG_ID, msgId);
            }
        }
        // one dead letter per durable: two durables that both give up on an event each store theirs
        headers.put(SpineHeaders.MSG_ID, "dl:" + stream + ":" + sequence + ":" + consumer);
        headers.put(SpineHeaders.DEAD_REASON, reason);
        headers.put(SpineHeaders.DEAD_ERROR, error);
        headers.put(SpineHeaders.DEAD_AT, clock.instant().toString());
        headers.put(SpineHeaders.ORIGINAL_SUBJECT, subject);
        headers.put(SpineHeaders.ORIGINAL_STREAM, stream);
        headers.put(SpineHeaders.ORIGINAL_SEQUENCE, Long.toString(sequence));
        headers.put(SpineHeaders.CONSUMER, consumer);
        headers.put(SpineHeaders.DELIVERIES, Long.toString(deliveries));
        String dlSubject = topology.deadLetterSubject(topology.eventTypeOf(subject));
        js.publish(NatsMessage.builder().subject(dlSubject).headers(headers).data(data).build());
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
