package dev.spine.events;

/**
 * Application code run for each delivered event. Returning normally acknowledges the event; throwing
 * schedules a redelivery after the subscription's backoff, and on the last allowed delivery moves the
 * event to the dead-letter stream. Delivery is at-least-once, so handlers must be idempotent (the
 * eventId is a natural idempotency key).
 */
@FunctionalInterface
public interface EventHandler {
    void handle(ReceivedEvent event) throws Exception;
}
