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
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One component's migrations in one schema on Flyway, with Flyway's errors turned into
 * {@link MigrationException}s that name the script. Flyway does the locking (a PostgreSQL advisory lock per
 * history table), the checksums and the history; this class adds what Flyway cannot know: the schema is created
 * under a lock of its own, the history always starts baselined (at the version a pre-Flyway runner recorded, or
 * 0), and a current schema is only validated, on one connection.
 */
public final class FlywayRun {
    private static final Logger LOG = LoggerFactory.getLogger(FlywayRun.class);
    /** A baseline below V1: every script still to run. */
    private static final String BEFORE_FIRST_SCRIPT = "0";

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

    /**
     * Applies what is pending; returns how many scripts this call applied (0 when another process did).
     *
     * <p>Looking, and starting a history, take one connection; only applying scripts takes two at once (Flyway
     * holds its lock on one and runs the scripts on the other), so a current schema starts on any pool.
     */
    public int migrate() {
        try (OneConnection one = new OneConnection(dataSource)) {
            Connection c = one.getConnection();
            if (Schemas.tableExists(c, schema, historyTable)) {
                ValidateResult result = validateWithResult(flyway(0, one));
                if (result.validationSuccessful) {
                    return 0;
                }
                List<ValidateOutput> changed = result.invalidMigrations.stream().filter(o -> !pending(o)).toList();
                if (!changed.isEmpty()) {
                    throw changedError(changed, null);
                }
            } else {
                startHistory(c, one);
            }
        } catch (SQLException e) {
            throw failed("cannot prepare schema " + schema + " for " + component, e);
        }
        Flyway flyway = flyway(0, dataSource);
        try {
            return flyway.migrate().migrationsExecuted;
        } catch (FlywayValidateException e) {
            throw changed(flyway, e);
        } catch (FlywayException e) {
            throw failed(component + " in schema " + schema + ": " + e.getMessage()
                    + " (applying scripts borrows two connections at once from the pool)", e);
        }
    }

    /**
     * Creates the schema (under a lock: concurrent creations collide) and the component's history, baselined at
     * the pre-Flyway runner's version, or at 0 (every script to run). Flyway's own "baseline on migrate" decides outside its lock whether the schema is empty, so a process starting beside
     * one that has just created the history fails with "already exists, and is empty"; a history always created
     * baselined here leaves Flyway nothing to decide, and Flyway's baseline is idempotent (the same marker twice
     * is skipped, a concurrent creation retried). Skipping the baseline on an empty schema would save a Flyway
     * command per fresh start but reopen that race: a process that saw the schema empty and one that did not
     * would create two kinds of history.
     */
    private void startHistory(Connection c, DataSource one) throws SQLException {
        Schemas.create(c, schema);
        int legacyVersion = LegacyVersions.read(c, schema, component, legacy);
        try {
            flyway(legacyVersion, one).baseline();
        } catch (FlywayException e) {
            throw failed(component + " in schema " + schema + ": " + e.getMessage(), e);
        }
        if (legacyVersion > 0) {
            LOG.info("{} in schema {}: history {} baselined at version {}, recorded by the pre-Flyway runner; later"
                    + " scripts run now", component, schema, historyTable, legacyVersion);
        }
    }

    /** Checks, without writing anything, that every script is applied and none changed since. */
    public void validate() {
        try (OneConnection one = new OneConnection(dataSource)) {
            Connection c = one.getConnection();
            if (!Schemas.tableExists(c, schema, historyTable)) {
                throw notMigrated(LegacyVersions.read(c, schema, component, legacy));
            }
            ValidateResult result = validateWithResult(flyway(0, one));
            if (result.validationSuccessful) {
                return;
            }
            List<ValidateOutput> changed = result.invalidMigrations.stream().filter(o -> !pending(o)).toList();
            if (!changed.isEmpty()) {
                throw changedError(changed, null);
            }
            List<MigrationScripts.Script> scripts = MigrationScripts.list(classLoader, location);
            List<String> pending = result.invalidMigrations.stream().map(o -> scriptName(o, scripts)).toList();
            throw new MigrationException(Code.PENDING_MIGRATION, pending.get(0), component + " in schema " + schema
                    + ": " + String.join(", ", pending) + (pending.size() == 1 ? " is" : " are")
                    + " not applied, and autoMigrate is off: apply " + (pending.size() == 1 ? "it" : "them")
                    + " first (SchemaMigrator.migrate(), or the statements of sql())", null);
        } catch (SQLException e) {
            throw failed("cannot read schema " + schema + " for " + component, e);
        }
    }

    private MigrationException notMigrated(int legacyVersion) {
        List<MigrationScripts.Script> scripts = MigrationScripts.list(classLoader, location);
        String first = scripts.isEmpty() ? null : scripts.get(0).name();
        return new MigrationException(Code.PENDING_MIGRATION, first, component + " in schema " + schema
                + " is not migrated (no " + schema + "." + historyTable + "): " + first + " and "
                + (scripts.size() - 1) + " more are pending, and autoMigrate is off. "
                + (legacyVersion > 0 ? "The pre-Flyway runner took it to version " + legacyVersion
                        + "; run SchemaMigrator.migrate() once to baseline it there."
                        : "Apply them first (SchemaMigrator.migrate(), or the statements of sql())."), null);
    }

    private ValidateResult validateWithResult(Flyway flyway) {
        try {
            return flyway.validateWithResult();
        } catch (FlywayException e) {
            throw failed(component + " in schema " + schema + ": " + e.getMessage(), e);
        }
    }

    private Flyway flyway(int baselineVersion, DataSource connections) {
        return Flyway.configure(classLoader)
                .dataSource(connections)
                .schemas(schema)
                .defaultSchema(schema)
                // startHistory creates the schema, under a lock, before Flyway sees it, so Flyway never creates it
                // (nor writes its schema-creation marker); false would only make Flyway warn on every call
                .createSchemas(true)
                .table(historyTable)
                .locations("classpath:" + location)
                .failOnMissingLocations(true)
                .placeholders(Map.of("schema", schema))
                .validateMigrationNaming(true)
                .validateOnMigrate(true)
                .cleanDisabled(true)
                // The history starts with a baseline (startHistory): 0, every script to run, or the version a
                // pre-Flyway runner recorded, only later scripts to run. Never decided by Flyway itself.
                .baselineOnMigrate(false)
                .baselineVersion(baselineVersion > 0 ? Integer.toString(baselineVersion) : BEFORE_FIRST_SCRIPT)
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
