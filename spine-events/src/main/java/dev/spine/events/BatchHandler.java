package dev.spine.events;

import java.util.List;

/**
 * Application code run for each micro-batch of a {@link EventSubscriber#subscribeBatch batch subscription}:
 * one batch at a time, on one thread, in delivery order. Settle each {@link Delivery} (typically after
 * committing what the batch became); deliveries left unsettled are acknowledged when this returns, and
 * handed back with the subscription's backoff when it throws (the subscription then pauses for that
 * backoff before the next batch). Delivery is at-least-once: make the work idempotent (the eventId is
 * the natural key).
 */
@FunctionalInterface
public interface BatchHandler {
    void handle(List<Delivery> batch) throws Exception;
}
