package dev.spine.events;

/**
 * What one stream (NATS) or table (PostgreSQL) of a bus holds. {@code captures} says where its events
 * come from (subjects, sources), for operators. A stream not provisioned has {@code exists == false} and
 * zero counts.
 */
public record StreamStats(String name, boolean exists, long messages, long bytes, long firstSequence,
        long lastSequence, String captures) {

    /** A stream that does not exist (yet). */
    public static StreamStats missing(String name) {
        return new StreamStats(name, false, 0, 0, 0, 0, "");
    }
}
