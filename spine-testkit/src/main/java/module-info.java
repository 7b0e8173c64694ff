/**
 * Test support for the spine's modules (test scope only): real PostgreSQL and NATS per test, a settable
 * clock and polling helpers. See the module README.
 */
module dev.spine.testkit {
    // SpineServices is a JUnit 5 extension; TestDatabase hands out DataSources, TestNats jnats connections
    requires transitive org.junit.jupiter.api;
    requires transitive java.sql;
    requires transitive com.zaxxer.hikari;
    requires transitive io.nats.jnats;
    requires org.postgresql.jdbc;
    // testcontainers 2.0.3 has neither module-info nor Automatic-Module-Name: its name is derived from the
    // jar's file name. Only reached when neither the configured services nor the local defaults answer.
    requires testcontainers;

    exports dev.spine.testkit;
}
