package dev.spine.events;

/**
 * A publisher and subscriber with a lifecycle: what a service holds, whichever backend carries the
 * events. Implementations: {@link Spine} (NATS JetStream, the default), {@code PostgresEventBus} in
 * spine-events-postgres (a {@code domain_events} table) and {@link InMemoryEventBus} (development only).
 * {@code EventBuses.fromEnvironment()} in spine-events-postgres picks one by {@code SPINE_EVENT_BUS}. All
 * pass the same contract tests: validation before storing, dedupe by eventId, durable names as
 * competing groups and fan-out between them, event-type filters, retries with backoff, dead letters
 * after {@code maxDeliver} and at once for {@link EventRejectedException}; batch subscriptions with their
 * settlement; reads, live feeds and status ({@link EventReader}). Nothing a consumer needs is NATS-only.
 */
public interface EventBus extends EventPublisher, EventSubscriber, EventReader, AutoCloseable {

    /**
     * Reports publishes that reach the broker on an event subject no stream captures (a domain that is not
     * registered): {@code onSubject} gets each such subject, on a thread of the bus. Only a broker that takes
     * plain publishes past the bus can lose events that way (NATS); on the others every publish goes through
     * the bus's own checks, so this default watches nothing. Close the returned handle to stop watching.
     */
    default AutoCloseable watchUncaptured(java.util.function.Consumer<String> onSubject) {
        return () -> { };
    }

    /**
     * What carries the events, as spans of their processing name it ({@code messaging.system}): {@code nats}
     * for {@link Spine}; a backend of another kind says its own, so a trace does not show NATS where none is.
     */
    default String messagingSystem() {
        return "nats";
    }

    /** Stops every subscription (finishing in-flight events), then releases connections. */
    @Override
    void close();
}
