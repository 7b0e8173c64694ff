package dev.spine.events;

/**
 * A running subscription. {@link #close()} stops cleanly: it stops pulling, lets the in-flight and
 * already-received events finish and be acknowledged, then closes. Events not yet handled stay
 * unacknowledged on the server and are delivered again (to another instance or after restart).
 */
public interface EventSubscription extends AutoCloseable {

    /** The durable consumer (the group whose instances share the load). */
    String durableName();

    /** Events handled successfully by this instance. */
    long handledCount();

    @Override
    void close();
}
