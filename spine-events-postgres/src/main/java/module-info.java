/**
 * The PostgreSQL side of spine-events: transactional outbox and relay, the idempotency middleware's
 * processing log, event history, and the PostgreSQL event bus.
 */
module dev.spine.events.postgres {
    requires transitive dev.spine.events;
    requires transitive java.sql;
    // EventTables.schemaMigrator hands out the SchemaMigrator of the outbox and event tables
    requires transitive dev.spine.postgres;
    requires org.postgresql.jdbc;
    // PGSimpleDataSource implements javax.naming.Referenceable; the driver is an automatic module and
    // cannot declare that itself
    requires java.naming;
    requires org.slf4j;

    exports dev.spine.events.postgres;
}
