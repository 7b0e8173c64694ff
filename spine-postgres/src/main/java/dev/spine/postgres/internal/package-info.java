/**
 * How {@code dev.spine.postgres} does its work: the Flyway configuration and error translation
 * ({@code FlywayRun}), reading a pre-Flyway runner's version ({@code LegacyVersions}), listing a component's
 * scripts for printing ({@code MigrationScripts}) and every statement of the module ({@code Sql}). Not for use
 * outside spine-postgres.
 */
package dev.spine.postgres.internal;
