/**
 * Not API (not exported by the module): the JetStream machinery behind {@link dev.spine.events.Spine} —
 * the publisher, subscriptions and their ordered lanes, durable consumers, stream provisioning and
 * reading, the dead-letter writer, the max-deliveries watcher, queries, headers, metrics and tracing.
 */
package dev.spine.events.internal;
