package dev.spine.events.postgres;

/** A PostgreSQL operation of this module (outbox, relay, event bus, processing log, history) failed; the cause is the SQL error. */
public class PostgresEventsException extends RuntimeException {
    public PostgresEventsException(String message, Throwable cause) {
        super(message, cause);
    }
}
