package dev.spine.jobs;

import dev.spine.jobs.internal.Migrations;
import java.util.List;
import javax.sql.DataSource;

/**
 * Versioned migrations for components that keep tables beside the queue's (the job service does): the
 * same mechanism spine-jobs uses for itself, one advisory lock per schema, a version row per component.
 */
public final class SchemaMigrations {
    private SchemaMigrations() {}

    /**
     * Applies the scripts of {@code component} not applied yet, in order, in one transaction.
     *
     * @param scripts classpath resource paths, resolved against {@code resourceOwner}; append, never edit
     * @return the version the component is at
     */
    public static int migrate(DataSource dataSource, String schema, String component, List<String> scripts,
            Class<?> resourceOwner) {
        return Migrations.migrate(dataSource, Names.checkSchema(schema), component, scripts, resourceOwner);
    }
}
