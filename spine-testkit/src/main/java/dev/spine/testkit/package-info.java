/**
 * Test support for the spine's modules, used in test scope only.
 *
 * <p>{@link dev.spine.testkit.SpineServices} is a JUnit 5 extension that hands tests a real PostgreSQL
 * ({@link dev.spine.testkit.TestDatabase}, an own schema per test) and a real NATS server
 * ({@link dev.spine.testkit.TestNats}, own stream names per test). It never mocks either: when neither
 * the configured URLs, the local defaults nor a Docker engine answer, the test fails and says what to start.
 * {@link dev.spine.testkit.SettableClock} and {@link dev.spine.testkit.Eventually} let time-driven tests
 * step instead of sleep. {@link dev.spine.testkit.PrivateNats} and {@link dev.spine.testkit.PrivatePostgres}
 * are servers of a test's own (own ports and stores) that fault tests kill and restart.
 */
package dev.spine.testkit;
