package dev.spine.jobs.internal;

import java.time.Instant;
import java.util.UUID;

/** How one attempt ended, waiting to be written in a batch with others. */
public sealed interface Outcome {
    UUID id();

    /** The handler returned: the job leaves the hot table. {@code row}: its ctid when claimed, or null. */
    record Completed(UUID id, String row) implements Outcome {}

    /** The attempt failed and another is allowed: back to available at {@code runAt}. */
    record Retry(UUID id, String queue, Instant runAt, String errorJson) implements Outcome {}

    /** The handler asked to run later ({@code SnoozeJob}): back to available, attempt not counted. */
    record Snoozed(UUID id, String queue, Instant runAt) implements Outcome {}

    /** The last attempt failed: to the dead letters. */
    record Dead(UUID id, String errorJson) implements Outcome {}

    /** Not run to the end because this process is shutting down: back to available, attempt not counted. */
    record HandedBack(UUID id) implements Outcome {}
}
