package dev.spine.events;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventType;
import dev.spine.contracts.InvalidEventException;
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
     * The argument check of {@link #read} and {@link #newest} (there with {@code fromSequence} 1), for
     * implementations: every backend refuses the same input with the same message.
     *
     * @throws IllegalArgumentException if {@code fromSequence < 1} or {@code limit < 1}
     */
    static void checkRead(long fromSequence, int limit) {
        if (fromSequence < 1) {
            throw new IllegalArgumentException("fromSequence must be >= 1, got " + fromSequence);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
    }

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

    /**
     * Reads the window {@code options} names (from a sequence or a time, of the given event types, up to its
     * limit, ending at the event that was last when the read began) and hands each event to {@code handler},
     * in sequence order. An event whose bytes are not a valid envelope is skipped and counted. Nothing is
     * acknowledged and no durable moves: replay reads, it does not consume. The NATS bus reads with an ordered
     * consumer; this default pages through {@link #read}, so a time start scans from the first stored event.
     */
    default ReplayResult replay(ReplayOptions options, EventHandler handler) throws Exception {
        long end = lastSequence();
        long delivered = 0;
        long malformed = 0;
        long last = 0;
        long from = Math.max(1, options.startSequence());
        while (from <= end && delivered < options.limit()) {
            List<StoredEvent> page = read(from, (int) Math.min(REPLAY_PAGE, end - from + 1));
            if (page.isEmpty()) {
                break;
            }
            for (StoredEvent stored : page) {
                if (stored.sequence() > end || delivered >= options.limit()) {
                    break;
                }
                last = stored.sequence();
                EventEnvelope e;
                try {
                    e = stored.envelope();
                } catch (InvalidEventException bad) {
                    malformed++;
                    continue;
                }
                if ((options.startTime() == null || !e.timestamp().isBefore(options.startTime()))
                        && EventType.matchesAny(options.eventPatterns(), e.eventType())) {
                    handler.handle(new ReceivedEvent(e, stored.subject(), stored.stream(), stored.sequence(), 1));
                    delivered++;
                }
            }
            from = page.get(page.size() - 1).sequence() + 1;
        }
        return new ReplayResult(delivered, malformed, last);
    }

    /** Events one page of the default {@link #replay} reads. */
    int REPLAY_PAGE = 500;
}
