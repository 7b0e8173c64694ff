package dev.spine.events;

/**
 * Thrown by a handler (or a middleware such as validation) for an event that can never succeed, so
 * retrying is pointless: the subscription moves it to dead letters at once, with reason
 * {@code rejected} and this message, instead of spending its deliveries.
 */
public class EventRejectedException extends RuntimeException {
    public EventRejectedException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventRejectedException(String message) {
        super(message);
    }
}
