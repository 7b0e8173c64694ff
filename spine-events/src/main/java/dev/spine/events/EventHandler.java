package dev.spine.events;

import dev.spine.contracts.TypedEvent;

/**
 * Application code run for each delivered event. Returning normally acknowledges the event; throwing
 * schedules a redelivery after the subscription's backoff, and on the last allowed delivery moves the
 * event to the dead-letter stream. Delivery is at-least-once, so handlers must be idempotent (the
 * eventId is a natural idempotency key). Throwing {@link EventRejectedException} dead-letters the event at
 * once. Wrap handlers with {@link HandlerChain} for logging, validation, idempotency, retries, timeouts
 * and a circuit breaker.
 */
@FunctionalInterface
public interface EventHandler {
    void handle(ReceivedEvent event) throws Exception;

    /**
     * A handler receiving {@code type}'s data as its Java class. Subscribe it with
     * {@code eventTypes(type.eventType())}: an event of another type, or whose data does not fit the
     * class, is rejected ({@link EventRejectedException}, so dead-lettered at once), never dropped.
     */
    static <T> EventHandler typed(TypedEvent<T> type, TypedEventHandler<T> handler) {
        return event -> {
            T data;
            try {
                data = type.dataOf(event.envelope());
            } catch (dev.spine.contracts.InvalidEventException e) {
                throw new EventRejectedException(e.getMessage(), e);
            }
            handler.handle(data, event);
        };
    }
}
