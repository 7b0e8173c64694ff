package dev.spine.jobs;

import dev.spine.jobs.internal.Migrations;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;
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
     * @param scripts resource paths, in order; append, never edit
     * @param resources opens a script, e.g. {@code MyComponent.class::getResourceAsStream}: written in the
     *        component's own code, so that it reads the component's own module. (Given a {@code Class}
     *        instead, spine-jobs would be the caller, and on the module path a module's resources in its
     *        packages are hidden from other modules.)
     * @return the version the component is at
     */
    public static int migrate(DataSource dataSource, String schema, String component, List<String> scripts,
            Function<String, InputStream> resources) {
        return Migrations.migrate(dataSource, Names.checkSchema(schema), component, scripts, resources);
    }
}
