/**
 * The spine's event layer over NATS JetStream: {@code Spine}, publishers, subscriptions, replay, dead
 * letters, queries, and composable handler middleware.
 */
module dev.spine.events {
    requires transitive dev.spine.contracts;
    requires transitive io.nats.jnats;
    requires transitive io.opentelemetry.api;
    requires transitive io.opentelemetry.context;
    requires transitive com.codahale.metrics;
    requires transitive io.github.resilience4j.circuitbreaker;
    requires org.slf4j;

    exports dev.spine.events;
    exports dev.spine.events.middleware;
}
