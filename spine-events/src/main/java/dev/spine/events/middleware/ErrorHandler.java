package dev.spine.events.middleware;

import dev.spine.events.ReceivedEvent;

/**
 * Decides what a handler failure means ({@link Middleware#errorHandling}). Return {@link Decision#RETRY}
 * for the subscription's normal redelivery with backoff, {@link Decision#REJECT} to dead-letter the
 * event at once, or {@link Decision#ACKNOWLEDGE} to drop it on purpose (it is logged at WARN with the
 * error, never silently).
 */
@FunctionalInterface
public interface ErrorHandler {

    enum Decision { RETRY, REJECT, ACKNOWLEDGE }

    Decision onError(ReceivedEvent event, Exception error);
}
