package dev.spine.events;

import dev.spine.events.internal.SpineHeaders;
import dev.spine.events.internal.StreamReader;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and redrives the dead-letter stream. {@link #republish(DeadLetter)} publishes the original
 * body and headers to the original subject, then deletes the dead letter; the republished copy gets a
 * {@code Nats-Msg-Id} derived from the dead letter, so redriving the same dead letter twice (e.g. a
 * crash before the delete) stores it once, while the envelope and its eventId stay unchanged.
 */
public final class DeadLetters {
    private static final Duration LIST_IDLE_TIMEOUT = Duration.ofMillis(500);

    private final StreamTopology topology;
    private final StreamReader reader;
    private final JetStream js;
    private final JetStreamManagement jsm;

    DeadLetters(StreamTopology topology, StreamReader reader, JetStream js, JetStreamManagement jsm) {
        this.topology = topology;
        this.reader = reader;
        this.js = js;
        this.jsm = jsm;
    }

    /** Up to {@code limit} dead letters, oldest first. */
    public List<DeadLetter> list(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        List<DeadLetter> out = new ArrayList<>();
        reader.read(topology.deadLetterStream(), List.of(), 1, null, limit, LIST_IDLE_TIMEOUT, m -> {
            out.add(toDeadLetter(m));
            return true;
        });
        return out;
    }

    /** Publishes the original event again (to its original subject) and removes the dead letter. */
    public PublishResult republish(DeadLetter dl) {
        Headers headers = new Headers();
        for (Map.Entry<String, List<String>> h : dl.headers().entrySet()) {
            headers.put(h.getKey(), h.getValue());
        }
        String original = dl.originalMessageId() == null ? dl.originalStream() + ":" + dl.originalSequence()
                : dl.originalMessageId();
        headers.put(SpineHeaders.MSG_ID, original + ":redrive:" + dl.sequence());
        try {
            PublishAck ack = js.publish(NatsMessage.builder().subject(dl.originalSubject()).headers(headers)
                    .data(dl.payload()).build());
            delete(dl);
            return new PublishResult(ack.getStream(), ack.getSeqno(), ack.isDuplicate());
        } catch (IOException | JetStreamApiException e) {
            throw new SpineException("cannot republish dead letter " + dl.sequence() + " to " + dl.originalSubject()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Removes a dead letter without republishing it. */
    public void delete(DeadLetter dl) {
        try {
            jsm.deleteMessage(topology.deadLetterStream(), dl.sequence());
        } catch (IOException | JetStreamApiException e) {
            throw new SpineException("cannot delete dead letter " + dl.sequence() + ": " + e.getMessage(), e);
        }
    }

    private static DeadLetter toDeadLetter(Message m) {
        Headers h = m.getHeaders();
        Map<String, List<String>> original = new LinkedHashMap<>();
        String originalMsgId = null;
        for (String key : h.keySet()) {
            if (key.equals(SpineHeaders.ORIGINAL_MSG_ID)) {
                originalMsgId = h.getFirst(key);
            } else if (!SpineHeaders.isDeadLetterHeader(key) && !key.equals(SpineHeaders.MSG_ID)) {
                original.put(key, List.copyOf(h.get(key)));
            }
        }
        if (originalMsgId != null) {
            original.put(SpineHeaders.MSG_ID, List.of(originalMsgId));
        }
        return new DeadLetter(m.metaData().streamSequence(), h.getFirst(SpineHeaders.ORIGINAL_SUBJECT),
                h.getFirst(SpineHeaders.ORIGINAL_STREAM), parseLong(h.getFirst(SpineHeaders.ORIGINAL_SEQUENCE)),
                h.getFirst(SpineHeaders.CONSUMER), parseLong(h.getFirst(SpineHeaders.DELIVERIES)),
                h.getFirst(SpineHeaders.DEAD_REASON), h.getFirst(SpineHeaders.DEAD_ERROR),
                h.getFirst(SpineHeaders.DEAD_AT), Map.copyOf(original), m.getData());
    }

    private static long parseLong(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }
}
