package dev.spine.events;

/** A running {@link QueryResponder}; {@link #close()} stops taking queries after those already received. */
public interface ResponderSubscription extends AutoCloseable {

    /** Queries answered (successfully or with an error reply) by this responder. */
    long answeredCount();

    @Override
    void close();
}
