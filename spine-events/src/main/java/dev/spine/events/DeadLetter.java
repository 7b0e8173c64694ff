package dev.spine.events;

import java.util.List;
import java.util.Map;

/**
 * An event that was moved to the dead-letter stream: the original body and headers, why it failed
 * ({@code reason} is {@code max-deliveries}, {@code rejected} or {@code malformed}), the last error, and where it came from.
 *
 * @param sequence its sequence in the dead-letter stream (the handle for republish and delete)
 * @param headers the original message's headers (dead-letter bookkeeping headers removed)
 * @param payload the original body, byte for byte
 */
public record DeadLetter(long sequence, String originalSubject, String originalStream, long originalSequence,
        String consumer, long deliveries, String reason, String error, String deadAt,
        Map<String, List<String>> headers, byte[] payload) {

    /** The original {@code Nats-Msg-Id} (the eventId for events the spine published), or {@code null}. */
    public String originalMessageId() {
        List<String> v = headers.get("Nats-Msg-Id");
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
