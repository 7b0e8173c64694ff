package dev.spine.postgres.internal;

/**
 * Every statement spine-postgres runs itself (Flyway runs the migrations and keeps its history). {@code ${schema}}
 * is replaced by {@link #in} with a name already checked by {@code SchemaNames}: identifiers cannot be bind
 * parameters, and nothing else is ever put into a statement's text.
 */
final class Sql {
    /**
     * Serialises the creation of one schema across processes (released at commit): two concurrent
     * {@code CREATE SCHEMA IF NOT EXISTS} can otherwise both pass the check and one fail on pg_namespace.
     */
    static final String LOCK_SCHEMA_CREATION = "select pg_advisory_xact_lock(hashtext('spine-postgres'), hashtext(?))";
    static final String CREATE_SCHEMA = "create schema if not exists ${schema}";
    /** Whether a table exists; the argument is {@code schema.table}. */
    static final String TABLE_EXISTS = "select to_regclass(?) is not null";
    /** spine-jobs' pre-Flyway runner, also used by the job service: one row per (component, version). */
    static final String LEGACY_SCHEMA_VERSION =
            "select coalesce(max(version), 0) from ${schema}.schema_version where component = ?";
    /** spine-events-postgres' pre-Flyway runner: one row per version. */
    static final String LEGACY_SPINE_EVENTS_PG_VERSION =
            "select coalesce(max(version), 0) from ${schema}.spine_events_pg_version";

    private Sql() {}

    static String in(String statement, String schema) {
        return statement.replace("${schema}", schema);
    }
}
