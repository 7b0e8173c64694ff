/**
 * Not API: every SQL statement of spine-events-postgres ({@code Sql}, {@code BusSql}) and
 * the PostgreSQL bus's subscription worker ({@code PgSubscription}).
 */
package dev.spine.events.postgres.internal;
