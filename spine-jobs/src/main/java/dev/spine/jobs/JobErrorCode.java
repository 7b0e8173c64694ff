package dev.spine.jobs;

/** Machine-readable codes of {@link InvalidJobException}. */
public enum JobErrorCode {
    /** A required value is null or blank. */
    MISSING_FIELD,
    /** A value is out of range or of the wrong form (negative delay, bad name, ...). */
    INVALID_FIELD,
    /** The payload could not be turned into JSON, or is not a JSON object. */
    NOT_SERIALIZABLE,
    /** The serialized payload is larger than the configured maximum. */
    PAYLOAD_TOO_LARGE,
    /** The queue does not exist (create it with {@code JobQueue.createQueue}). */
    UNKNOWN_QUEUE,
    /** A cron expression or time zone could not be parsed. */
    INVALID_CRON,
    /** The job, dead job or queue named does not exist. */
    NOT_FOUND,
    /**
     * A pull worker completed or failed a job it does not hold (never fetched it, or its attempt already ended:
     * timed out, or rescued after the worker stopped heartbeating).
     */
    NOT_HELD
}
