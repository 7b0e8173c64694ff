package dev.spine.events.middleware;

import java.time.Duration;

/** The handler did not finish within its {@link Middleware#timeout}; it was interrupted and the event is retried. */
public final class HandlerTimeoutException extends RuntimeException {
    public HandlerTimeoutException(String eventId, Duration timeout) {
        super("handler for event " + eventId + " did not finish within " + timeout);
    }
}
