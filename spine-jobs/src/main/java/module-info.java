/**
 * spine-jobs: a durable job queue on PostgreSQL, usable on its own (no NATS needed).
 */
module dev.spine.jobs {
    requires transitive java.sql;
    // JobQueue.schemaMigrator hands out the SchemaMigrator of the queue's tables
    requires transitive dev.spine.postgres;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive com.codahale.metrics;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires org.postgresql.jdbc;
    requires com.github.kagkarlsson.scheduler;
    requires org.slf4j;

    exports dev.spine.jobs;
}
