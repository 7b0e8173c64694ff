package dev.spine.postgres;

/**
 * A schema could not be brought to, or confirmed at, the version this code needs. {@link #code()} says
 * why; {@link #migration()} names the script concerned (e.g. {@code V2__payload_json.sql}) when one is.
 */
public final class MigrationException extends RuntimeException {
    /** Why migrating or validating failed. */
    public enum Code {
        /** A script applied earlier differs from the one shipped now (checksum, description or type). */
        CHANGED_MIGRATION,
        /** {@code autoMigrate} is off and a script is not applied yet. */
        PENDING_MIGRATION,
        /** The database refused a script or the history table, or could not be reached. */
        MIGRATION_FAILED
    }

    private final Code code;
    private final String migration;

    public MigrationException(Code code, String migration, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.migration = migration;
    }

    public Code code() {
        return code;
    }

    /** The script's file name, or null when the failure concerns no single script. */
    public String migration() {
        return migration;
    }
}
