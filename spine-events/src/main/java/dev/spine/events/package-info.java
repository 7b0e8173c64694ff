/**
 * The spine's event layer over NATS JetStream. Start at {@link dev.spine.events.Spine}: provision the
 * {@link dev.spine.events.StreamTopology}, publish through {@link dev.spine.events.EventPublisher},
 * subscribe handlers with {@link dev.spine.events.SubscriptionOptions} (per event, or in micro-batches of
 * {@link dev.spine.events.Delivery}s settled by a {@link dev.spine.events.BatchHandler}), read stored events,
 * live feeds and status through {@link dev.spine.events.EventReader}, replay history with
 * {@link dev.spine.events.ReplayOptions}, redrive {@link dev.spine.events.DeadLetters}, and ask
 * questions with {@link dev.spine.events.Spine#query} answered by {@link dev.spine.events.QueryResponder}s.
 * Every backend implements {@link dev.spine.events.EventBus}; handler middleware lives in
 * {@code dev.spine.events.middleware}.
 *
 * <p>Promises: a publish that returns (or whose future completes) is stored; the eventId is the
 * JetStream dedupe key; delivery is at-least-once with explicit acks, backoff between retries and a
 * dead-letter stream after the last allowed delivery; replay, reads and live feeds never touch durable
 * consumers. No public signature carries a NATS type, so every consumer runs on every
 * {@code SPINE_EVENT_BUS} backend.
 * {@link dev.spine.events.InMemoryEventBus} is for local development only.
 * {@code dev.spine.events.internal} is not API.
 */
package dev.spine.events;
