package dev.spine.postgres;

/**
 * Where the spine's pre-Flyway migration runners recorded how far a schema was migrated. When a component's
 * Flyway history table is absent but its legacy row says version N, {@link SchemaMigrator} baselines the
 * history at N: scripts V1..VN are not run again (their tables and data are kept), later ones are applied.
 */
public enum LegacyVersionTable {
    /** Nothing to upgrade from: a component that never had a pre-Flyway runner. */
    NONE,
    /**
     * {@code <schema>.schema_version (component, version)}: spine-jobs' runner, also used by the job service's
     * components; the row's {@code component} is the migrator's component name.
     */
    SCHEMA_VERSION,
    /** {@code <schema>.spine_events_pg_version (version)}: spine-events-postgres' runner. */
    SPINE_EVENTS_PG_VERSION
}
