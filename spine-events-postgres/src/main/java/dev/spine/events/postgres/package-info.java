/**
 * The PostgreSQL side of spine-events: the transactional {@link dev.spine.events.postgres.Outbox} and
 * its {@link dev.spine.events.postgres.OutboxRelay}, the idempotency middleware's
 * {@link dev.spine.events.postgres.PostgresProcessingLog} and the optional
 * {@link dev.spine.events.postgres.PostgresEventHistory}. All tables live in one schema (default
 * {@code spine_events}), created and upgraded on first use by spine-postgres' migrator ({@link
 * dev.spine.events.postgres.EventTables}), or only validated with {@code autoMigrate(false)}.
 * {@code dev.spine.events.postgres.internal} is not API.
 */
package dev.spine.events.postgres;
