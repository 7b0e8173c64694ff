package dev.spine.events;

/**
 * JetStream's acknowledgement of a stored event: the stream and sequence it is stored at, and
 * whether this publish was a duplicate (same eventId inside the duplicate window) that the stream
 * discarded in favour of the earlier copy at {@code sequence}.
 */
public record PublishResult(String stream, long sequence, boolean duplicate) {}
