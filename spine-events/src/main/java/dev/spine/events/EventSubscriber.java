package dev.spine.events;

/**
 * Subscribes handlers to events. Instances that subscribe with the same durable name compete (each
 * event goes to one of them); different durable names each receive every event (fan-out).
 */
public interface EventSubscriber {

    /** Starts delivering matching events to {@code handler} until the subscription is closed. */
    EventSubscription subscribe(SubscriptionOptions options, EventHandler handler);

    /**
     * Starts delivering matching events in micro-batches to {@code handler} until the subscription is
     * closed. Batching: take what has arrived, up to {@code batchSize}; while events come in bursts, linger
     * up to {@code linger} for more, so a lone event is handed over at once. One batch at a time on one
     * thread. Deliveries left unsettled by a throwing handler are handed back after the backoff of their
     * delivery count (dead-lettered on their last allowed delivery; never with
     * {@link SubscriptionOptions#UNLIMITED_DELIVERIES}) and the subscription pauses for that backoff.
     * {@code orderedByPartitionKey} is not supported here. Closing hands back what was received and not
     * handled, for immediate redelivery.
     *
     * @throws IllegalArgumentException if the options ask for ordering by partition key
     */
    EventSubscription subscribeBatch(SubscriptionOptions options, BatchHandler handler);

    /**
     * Deletes the durable {@code durableName} and what the bus keeps for it (its position, its pending
     * deliveries); false if it did not exist. Close its subscriptions first.
     */
    boolean removeDurable(String durableName);

    /**
     * How far the durable {@code durableName} is behind: events not yet delivered to it and events delivered
     * and not yet settled; empty if no such durable exists. A read of the broker's bookkeeping, cheap enough
     * to call on every metrics scrape.
     */
    java.util.Optional<ConsumerStats> consumer(String durableName);
}
