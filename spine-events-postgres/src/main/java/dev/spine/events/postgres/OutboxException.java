package dev.spine.events.postgres;

/** An outbox, relay, processing-log or history operation failed in PostgreSQL; the cause is the SQL error. */
public class OutboxException extends RuntimeException {
    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
