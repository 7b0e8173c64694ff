package dev.spine.postgres.internal;

import dev.spine.postgres.LegacyVersionTable;
import dev.spine.postgres.MigrationException;
import dev.spine.postgres.MigrationException.Code;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One component's migrations in one schema on Flyway, with Flyway's errors turned into
 * {@link MigrationException}s that name the script. Flyway does the locking (a PostgreSQL advisory lock per
 * history table), the checksums and the history; this class adds what Flyway cannot know: the schema is
 * created once under a lock of its own, and a schema made by a pre-Flyway runner is baselined at the version
 * that runner recorded.
 */
public final class FlywayRun {
    private static final Logger LOG = LoggerFactory.getLogger(FlywayRun.class);
    /** The component's own tables are not there yet, but the schema holds other components' tables. */
    private static final String SHARED_SCHEMA_BASELINE = "0";

    private final DataSource dataSource;
    private final ClassLoader classLoader;
    private final String component;
    private final String schema;
    private final String location;
    private final String historyTable;
    private final LegacyVersionTable legacy;

    public FlywayRun(DataSource dataSource, ClassLoader classLoader, String component, String schema, String location,
            String historyTable, LegacyVersionTable legacy) {
        this.dataSource = dataSource;
        this.classLoader = classLoader;
        this.component = component;
        this.schema = schema;
        this.location = location;
        this.historyTable = historyTable;
        this.legacy = legacy;
    }

    /** Applies what is pending; returns how many scripts this call applied (0 when another process did). */
    public int migrate() {
        int legacyVersion;
        try (Connection c = dataSource.getConnection()) {
            Schemas.create(c, schema);
            legacyVersion = Schemas.tableExists(c, schema, historyTable) ? 0
                    : LegacyVersions.read(c, schema, component, legacy);
        } catch (SQLException e) {
            throw failed("cannot prepare schema " + schema + " for " + component, e);
        }
        Flyway flyway = flyway(legacyVersion);
        try {
            MigrateResult result = flyway.migrate();
            if (legacyVersion > 0 && result.initialSchemaVersion == null) {
                LOG.info("{} in schema {}: history {} baselined at version {} (recorded by the pre-Flyway runner)",
                        component, schema, historyTable, legacyVersion);
            }
            return result.migrationsExecuted;
        } catch (FlywayValidateException e) {
            throw changed(flyway, e);
        } catch (FlywayException e) {
            throw failed(component + " in schema " + schema + ": " + e.getMessage(), e);
        }
    }

    /** Checks, without writing anything, that every script is applied and none changed since. */
    public void validate() {
        int legacyVersion;
        boolean history;
        try (Connection c = dataSource.getConnection()) {
            history = Schemas.tableExists(c, schema, historyTable);
            legacyVersion = history ? 0 : LegacyVersions.read(c, schema, component, legacy);
        } catch (SQLException e) {
            throw failed("cannot read schema " + schema + " for " + component, e);
        }
        List<MigrationScripts.Script> scripts = MigrationScripts.list(classLoader, location);
        if (!history) {
            String first = scripts.isEmpty() ? null : scripts.get(0).name();
            throw new MigrationException(Code.PENDING_MIGRATION, first, component + " in schema " + schema
                    + " is not migrated (no " + schema + "." + historyTable + "): " + first + " and "
                    + (scripts.size() - 1) + " more are pending, and autoMigrate is off. "
                    + (legacyVersion > 0 ? "The pre-Flyway runner took it to version " + legacyVersion
                            + "; run SchemaMigrator.migrate() once to baseline it there. "
                            : "Apply them first (SchemaMigrator.migrate(), or the statements of sql()). ")
                    + "See spine-postgres/README.md", null);
        }
        Flyway flyway = flyway(0);
        ValidateResult result;
        try {
            result = flyway.validateWithResult();
        } catch (FlywayException e) {
            throw failed(component + " in schema " + schema + ": " + e.getMessage(), e);
        }
        if (result.validationSuccessful) {
            return;
        }
        List<ValidateOutput> changed = result.invalidMigrations.stream().filter(o -> !pending(o)).toList();
        if (!changed.isEmpty()) {
            throw changedError(changed, null);
        }
        List<String> pending = result.invalidMigrations.stream().map(o -> scriptName(o, scripts)).toList();
        throw new MigrationException(Code.PENDING_MIGRATION, pending.get(0), component + " in schema " + schema
                + ": " + String.join(", ", pending) + (pending.size() == 1 ? " is" : " are")
                + " not applied, and autoMigrate is off: apply " + (pending.size() == 1 ? "it" : "them")
                + " first (SchemaMigrator.migrate(), or the statements of sql())", null);
    }

    private Flyway flyway(int baselineVersion) {
        return Flyway.configure(classLoader)
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(false) // created by Schemas.create, under a lock, without Flyway's marker row
                .table(historyTable)
                .locations("classpath:" + location)
                .failOnMissingLocations(true)
                .placeholders(Map.of("schema", schema))
                .validateMigrationNaming(true)
                .validateOnMigrate(true)
                .cleanDisabled(true)
                // A schema without this component's history is either shared with other components (baseline 0:
                // run every script) or was migrated by a pre-Flyway runner (baseline there: run only later ones).
                .baselineOnMigrate(true)
                .baselineVersion(baselineVersion > 0 ? Integer.toString(baselineVersion) : SHARED_SCHEMA_BASELINE)
                .baselineDescription(baselineVersion > 0 ? "pre-Flyway runner at version " + baselineVersion
                        : "before " + component)
                .load();
    }

    private MigrationException changed(Flyway flyway, FlywayValidateException cause) {
        List<ValidateOutput> invalid;
        try {
            invalid = flyway.validateWithResult().invalidMigrations.stream().filter(o -> !pending(o)).toList();
        } catch (FlywayException e) {
            cause.addSuppressed(e);
            invalid = List.of();
        }
        if (invalid.isEmpty()) {
            return new MigrationException(Code.CHANGED_MIGRATION, null, component + " in schema " + schema + ": "
                    + cause.getMessage(), cause);
        }
        return changedError(invalid, cause);
    }

    private MigrationException changedError(List<ValidateOutput> invalid, Throwable cause) {
        List<MigrationScripts.Script> scripts = MigrationScripts.list(classLoader, location);
        String first = scriptName(invalid.get(0), scripts);
        String details = invalid.stream().map(o -> scriptName(o, scripts) + ": " + o.errorDetails.errorMessage)
                .collect(Collectors.joining("; "));
        return new MigrationException(Code.CHANGED_MIGRATION, first, component + " in schema " + schema
                + ": migration " + first + " differs from the one applied (" + details + "). Never edit an applied "
                + "migration: restore " + location + "/" + first + " and put the change in a new V<n>__*.sql", cause);
    }

    private static boolean pending(ValidateOutput o) {
        return o.errorDetails != null && o.errorDetails.errorCode == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED;
    }

    private static String scriptName(ValidateOutput o, List<MigrationScripts.Script> scripts) {
        for (MigrationScripts.Script s : scripts) {
            if (o.version != null && s.version().getVersion().equals(o.version)) {
                return s.name();
            }
        }
        if (o.filepath != null && !o.filepath.isBlank()) {
            return o.filepath.substring(o.filepath.lastIndexOf('/') + 1);
        }
        return "V" + o.version + "__" + (o.description == null ? "" : o.description.replace(' ', '_')) + ".sql";
    }

    private MigrationException failed(String message, Exception cause) {
        return new MigrationException(Code.MIGRATION_FAILED, null, message, cause);
    }
}
