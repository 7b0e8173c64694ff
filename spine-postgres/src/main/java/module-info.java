/**
 * What every spine module that keeps tables in PostgreSQL shares: versioned migrations on Flyway
 * ({@link dev.spine.postgres.SchemaMigrator}), one pool factory and the schema-name rule.
 */
module dev.spine.postgres {
    requires transitive java.sql;
    requires transitive com.zaxxer.hikari;
    // Flyway 13 ships neither module-info nor Automatic-Module-Name: these names come from its jars' file
    // names (Maven warns "filename-based automodules"); the PostgreSQL support is found by ServiceLoader
    requires flyway.core;
    requires flyway.database.postgresql;
    requires java.logging;
    requires org.slf4j;

    exports dev.spine.postgres;
}
