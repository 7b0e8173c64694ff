package dev.spine.postgres;

import dev.spine.postgres.internal.FlywayRun;
import dev.spine.postgres.internal.MigrationScripts;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Brings one component's tables in one schema to the version the running code needs, on Flyway.
 *
 * <pre>{@code
 * SchemaMigrator migrator = SchemaMigrator.builder(dataSource)
 *         .component("spine-jobs")                      // history table spine_jobs_history
 *         .location("dev/spine/jobs/migrations")        // V1__jobs.sql, V2__payload_json.sql, ...
 *         .schema("spine")
 *         .build();
 * migrator.ensureCurrent();                             // migrate, or only validate with autoMigrate(false)
 * }</pre>
 *
 * <p>Guarantees:
 * <ul>
 *   <li>each script {@code V<n>__<what>.sql} in {@link Builder#location} runs once per schema, in version order,
 *       each in its own transaction, and is recorded in the component's own history table
 *       {@code <schema>.<component>_history} ({@code -} becomes {@code _});</li>
 *   <li>many processes may migrate one schema at once: Flyway's advisory lock lets one apply each script, the
 *       others wait and find it applied;</li>
 *   <li>a script changed after it was applied fails {@link #migrate} and {@link #validate} with
 *       {@link MigrationException.Code#CHANGED_MIGRATION}, naming the file; nothing more is applied;</li>
 *   <li>{@code ${schema}} in a script is replaced by the schema name (checked by {@link SchemaNames});</li>
 *   <li>a schema migrated by the spine's pre-Flyway runner ({@link Builder#legacyVersionTable}) is baselined at
 *       the version that runner recorded: its tables and rows are kept, only later scripts run.</li>
 * </ul>
 * Applying scripts borrows two connections at once from the data source (Flyway holds its lock on one, runs
 * scripts on the other); a schema that is already current is checked with one.
 */
public final class SchemaMigrator {
    /** Component names: they name the history table too. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z][a-z0-9-]{0,40}");
    /** Default of {@link Builder#autoMigrate}. */
    public static final boolean DEFAULT_AUTO_MIGRATE = true;

    private final String component;
    private final String schema;
    private final String location;
    private final String historyTable;
    private final boolean autoMigrate;
    private final ClassLoader classLoader;
    private final FlywayRun run;

    private SchemaMigrator(Builder b) {
        this.component = b.component;
        this.schema = b.schema;
        this.location = b.location;
        this.historyTable = b.component.replace('-', '_') + "_history";
        this.autoMigrate = b.autoMigrate;
        this.classLoader = b.classLoader;
        this.run = new FlywayRun(b.dataSource, b.classLoader, component, schema, location, historyTable, b.legacy);
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * What a component calls on start: {@link #migrate} when {@code autoMigrate} is on (the default), else
     * {@link #validate}, which writes nothing.
     */
    public void ensureCurrent() {
        if (autoMigrate) {
            migrate();
        } else {
            validate();
        }
    }

    /**
     * Creates the schema if absent and applies every pending script, whatever {@code autoMigrate} says (for
     * deploy steps that migrate before the application starts).
     *
     * @return how many scripts this call applied: 0 when the schema was current or another process migrated it
     * @throws MigrationException naming the script that changed or failed
     */
    public int migrate() {
        return run.migrate();
    }

    /**
     * Checks, writing nothing, that every script is applied and none changed since.
     *
     * @throws MigrationException {@code PENDING_MIGRATION} naming the first script not applied,
     *         {@code CHANGED_MIGRATION} naming the script that differs
     */
    public void validate() {
        run.validate();
    }

    /**
     * Every statement of the component's scripts for this schema, in version order, each script preceded by a
     * {@code -- V<n>__<what>.sql} line and {@code ${schema}} replaced: what {@link #migrate} runs on an empty
     * schema, for review or for teams that apply SQL themselves. Reads the class path only, never the database.
     */
    public String sql() {
        StringBuilder out = new StringBuilder();
        for (MigrationScripts.Script script : MigrationScripts.list(classLoader, location)) {
            out.append("-- ").append(script.name()).append('\n')
                    .append(script.text().replace("${schema}", schema));
            if (!script.text().endsWith("\n")) {
                out.append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    public String component() {
        return component;
    }

    public String schema() {
        return schema;
    }

    /** {@code <component>_history}, with {@code -} as {@code _}: Flyway's history of this component, in the schema. */
    public String historyTable() {
        return historyTable;
    }

    public boolean autoMigrate() {
        return autoMigrate;
    }

    /** Options of a {@link SchemaMigrator}; {@link #build()} checks them and names the field at fault. */
    public static final class Builder {
        private final DataSource dataSource;
        private String component;
        private String location;
        private String schema;
        private LegacyVersionTable legacy = LegacyVersionTable.NONE;
        private boolean autoMigrate = DEFAULT_AUTO_MIGRATE;
        private ClassLoader classLoader = SchemaMigrator.class.getClassLoader();

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** Required: lower-case letters, digits and {@code -} (e.g. {@code spine-jobs}); names the history table. */
        public Builder component(String v) { this.component = v; return this; }

        /**
         * Required: the class-path folder of the component's scripts (e.g. {@code dev/spine/jobs/migrations}),
         * holding nothing but them; one folder per component.
         */
        public Builder location(String v) { this.location = v; return this; }

        /** Required: the schema the tables live in (see {@link SchemaNames}). */
        public Builder schema(String v) { this.schema = v; return this; }

        /** Where a pre-Flyway runner recorded this component's version; default {@link LegacyVersionTable#NONE}. */
        public Builder legacyVersionTable(LegacyVersionTable v) { this.legacy = v; return this; }

        /**
         * Whether {@link #ensureCurrent()} applies pending scripts (default {@value SchemaMigrator#DEFAULT_AUTO_MIGRATE}),
         * or only validates, for teams that migrate in a deploy step of their own.
         */
        public Builder autoMigrate(boolean v) { this.autoMigrate = v; return this; }

        /** Loads the scripts; default the class loader of spine-postgres. */
        public Builder classLoader(ClassLoader v) { this.classLoader = v; return this; }

        public SchemaMigrator build() {
            if (dataSource == null) {
                throw new IllegalArgumentException("dataSource is required");
            }
            if (component == null || !COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("component must be lower-case letters, digits and '-', starting "
                        + "with a letter, up to 41 chars, got '" + component + "'");
            }
            if (location == null || location.isBlank() || location.startsWith("/") || location.endsWith("/")
                    || location.startsWith("classpath:")) {
                throw new IllegalArgumentException("location must be a class-path folder like dev/spine/jobs/migrations"
                        + " (no leading or trailing '/', no 'classpath:'), got '" + location + "'");
            }
            SchemaNames.check(schema);
            Objects.requireNonNull(legacy, "legacyVersionTable");
            Objects.requireNonNull(classLoader, "classLoader");
            if (classLoader.getResource(location) == null) {
                throw new IllegalArgumentException("location " + location + " is not on the class path of "
                        + classLoader);
            }
            return new SchemaMigrator(this);
        }
    }
}
