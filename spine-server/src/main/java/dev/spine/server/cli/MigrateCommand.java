package dev.spine.server.cli;

import dev.spine.gateway.Gateway;
import dev.spine.jobs.JobQueue;
import dev.spine.postgres.SchemaMigrator;
import dev.spine.service.JobService;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine migrate}: brings the spine's tables in {@code SPINE_PG_SCHEMA} up to date (the job queue's,
 * the engine's, the gateway's), as a process does on start; with {@code --print-sql}, prints every statement
 * instead and touches no database, for teams that migrate themselves (then start with auto-migration off:
 * a process only validates).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrates the spine's tables in SPINE_PG_SCHEMA, or prints their SQL (--print-sql).")
final class MigrateCommand extends SpineCommand {
    @Option(names = "--print-sql", description = "print every migration's statements, schema filled in; "
            + "connect to nothing")
    boolean printSql;

    @Override
    int run(Backends backends) {
        String schema = backends.config().postgres().schema();
        if (printSql) {
            // a data source that is never asked for a connection: sql() only reads the scripts
            PGSimpleDataSource unused = new PGSimpleDataSource();
            unused.setURL(backends.config().postgres().url());
            migrators(unused, schema).forEach((component, m) -> {
                out().println("-- " + component + " (schema " + schema + ")");
                out().println(m.sql());
            });
            return OK;
        }
        migrators(backends.dataSource(), schema).forEach((component, m) ->
                out().println(component + ": " + m.migrate() + " migration(s) applied"));
        return OK;
    }

    /** Every component's migrations, in the order a process applies them. */
    private static Map<String, SchemaMigrator> migrators(DataSource dataSource, String schema) {
        Map<String, SchemaMigrator> m = new LinkedHashMap<>();
        m.put("jobs", JobQueue.schemaMigrator(dataSource, schema));
        m.put("engine", JobService.schemaMigrator(dataSource, schema));
        m.put("gateway", Gateway.schemaMigrator(dataSource, schema));
        return m;
    }
}
