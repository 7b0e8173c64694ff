package dev.spine.gateway;

import java.nio.charset.StandardCharsets;

/**
 * One event of a live subscription as its clients get it. Each wire form (the SSE frame, the WebSocket text)
 * is built once, on first use, however many clients take it: with hundreds of clients on one subscription the
 * formatting would otherwise cost more than the reading.
 */
final class LiveEvent {
    private final long sequence;
    private final String eventType;
    private final String json;
    private byte[] sse;
    private String socket;

    LiveEvent(long sequence, String eventType, String json) {
        this.sequence = sequence;
        this.eventType = eventType;
        this.json = json;
    }

    /** The stream sequence: the client's resume id. */
    long sequence() {
        return sequence;
    }

    /** {@code id:}, {@code event:} and one {@code data:} line per line of the payload, as the format requires. */
    synchronized byte[] sseFrame() {
        if (sse == null) {
            StringBuilder b = new StringBuilder(json.length() + 64).append("id: ").append(sequence).append('\n')
                    .append("event: ").append(eventType).append('\n');
            for (String line : json.split("\r\n|\r|\n", -1)) {
                b.append("data: ").append(line).append('\n');
            }
            sse = b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        }
        return sse;
    }

    /** {@code {"id":<sequence>,"eventType":..,"event":{..}}}. */
    synchronized String socketFrame() {
        if (socket == null) {
            socket = "{\"id\":" + sequence + ",\"eventType\":\"" + eventType + "\",\"event\":" + json + "}";
        }
        return socket;
    }
}
