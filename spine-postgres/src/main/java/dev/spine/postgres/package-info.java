/**
 * PostgreSQL plumbing every spine module shares, so each does it one way:
 * <ul>
 *   <li>{@link dev.spine.postgres.SchemaMigrator}: one component's versioned SQL migrations (Flyway) in one
 *       schema, with its own history table, checksums checked, safe when many processes start at once, and
 *       schemas made by the spine's pre-Flyway runners baselined in place;</li>
 *   <li>{@link dev.spine.postgres.PgPools} and {@link dev.spine.postgres.PoolSettings}: the one way the spine
 *       builds a HikariCP pool;</li>
 *   <li>{@link dev.spine.postgres.SchemaNames}: the one rule for schema names that end up in SQL.</li>
 * </ul>
 * Everything else lives in {@code dev.spine.postgres.internal}, which no other module imports.
 */
package dev.spine.postgres;
