package dev.spine.events;

import java.util.List;

/**
 * Reads what a bus stores without consuming it: no durable is created or moved. Every {@link EventBus}
 * backend implements it, on its main stream (NATS: the topology's platform stream; PostgreSQL: the
 * {@code domain_events} table; in memory: the log). Sequences increase in storage order and are the
 * resume points of {@link #live live feeds}.
 */
public interface EventReader {

    /** The sequence of the last stored event, 0 while none is stored. A feed started after it misses nothing later. */
    long lastSequence();

    /**
     * Up to {@code limit} stored events from {@code fromSequence} on (inclusive), oldest first.
     *
     * @throws IllegalArgumentException if {@code fromSequence < 1} or {@code limit < 1}
     */
    List<StoredEvent> read(long fromSequence, int limit);

    /**
     * The newest {@code limit} stored events, oldest first.
     *
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    List<StoredEvent> newest(int limit);

    /**
     * Starts pushing stored events to {@code handler} from {@code options}' position, then each new one as it
     * is stored, in sequence order, one at a time, until the feed is closed or the handler throws. Nothing
     * is acknowledged and nothing is left on the server when it closes (NATS: an ordered consumer; PostgreSQL:
     * polling; in memory: a listener).
     */
    LiveFeed live(LiveFeedOptions options, LiveFeedHandler handler);

    /** Whether the bus can carry events right now (for health checks); never throws. */
    BusStatus status();

    /** What each stream (or table) of the bus holds; a stream not provisioned yet is listed as missing. */
    List<StreamStats> streams();
}
