package dev.spine.events;

/**
 * Subscribes handlers to events. Instances that subscribe with the same durable name compete (each
 * event goes to one of them); different durable names each receive every event (fan-out).
 */
public interface EventSubscriber {

    /** Starts delivering matching events to {@code handler} until the subscription is closed. */
    EventSubscription subscribe(SubscriptionOptions options, EventHandler handler);
}
