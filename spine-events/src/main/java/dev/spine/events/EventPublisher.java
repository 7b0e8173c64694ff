package dev.spine.events;

import dev.spine.contracts.EventEnvelope;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes events. Guarantees: an event is validated (envelope and registered domain) before anything
 * is sent and rejected with {@link dev.spine.contracts.InvalidEventException}; the eventId is the
 * dedupe key, so publishing the same event twice inside the duplicate window stores it once; a
 * completed result means the event is stored. Thread-safe.
 */
public interface EventPublisher {

    /**
     * Publishes and waits for the stream's acknowledgement, retrying a timed-out attempt with the same
     * eventId.
     *
     * @throws dev.spine.contracts.InvalidEventException before sending, for invalid events
     * @throws EventPublishException if no acknowledgement arrived after all retries
     */
    PublishResult publish(EventEnvelope event);

    /**
     * Publishes without waiting. The number of unacknowledged publishes is bounded: when the bound is
     * reached this call blocks or throws {@link EventPublishException} with reason
     * {@code BACKPRESSURE}, depending on configuration. The future completes with the
     * acknowledgement or an {@link EventPublishException}.
     *
     * @throws dev.spine.contracts.InvalidEventException before sending, for invalid events
     */
    CompletableFuture<PublishResult> publishAsync(EventEnvelope event);
}
