package dev.spine.events;

/**
 * A running {@link EventReader#live live feed}. It ends when closed or when its handler throws; nothing
 * is kept for it anywhere, so a client that comes back resumes by starting a new feed after the last
 * sequence it saw.
 */
public interface LiveFeed extends AutoCloseable {

    /** False once closed or ended by its handler. */
    boolean isOpen();

    /** Stops the feed; the event being handled finishes. Idempotent. */
    @Override
    void close();
}
