package dev.spine.jobs;

/**
 * Told when an attempt ends, on the handler's thread, right after the outcome is decided (the outcome
 * is written to PostgreSQL shortly after, in a batch). For lifecycle events and observation: keep it
 * quick, and do not throw (an exception is logged and ignored).
 */
public interface JobListener {
    /** The handler returned. */
    default void completed(Job job) {}

    /** The attempt failed; {@code dead} when it was the last allowed attempt. */
    default void failed(Job job, String error, boolean dead) {}
}
