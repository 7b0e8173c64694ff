/**
 * How {@code dev.spine.postgres} does its work: the Flyway configuration, the start of a history and the
 * translation of Flyway's errors ({@code FlywayRun}), one borrowed connection shared by Flyway's read-only
 * commands ({@code OneConnection}), creating a schema under a lock ({@code Schemas}), reading a pre-Flyway
 * runner's version ({@code LegacyVersions}), listing a component's scripts for printing and for naming files
 * ({@code MigrationScripts}) and every statement of the module ({@code Sql}). Not for use outside
 * spine-postgres.
 */
package dev.spine.postgres.internal;
