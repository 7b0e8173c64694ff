/**
 * The event bus as an HTTP service (publishers, event store, subscriptions by webhook, SSE and WebSocket)
 * and the HTTP toolkit every spine route uses.
 */
module dev.spine.gateway {
    requires transitive dev.spine.events;
    requires transitive io.javalin;
    // Gateway.schemaMigrator hands out the SchemaMigrator of the gateway's tables
    requires transitive dev.spine.postgres;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires org.slf4j;

    exports dev.spine.gateway;
    exports dev.spine.gateway.http;
}
