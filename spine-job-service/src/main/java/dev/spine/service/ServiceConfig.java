package dev.spine.service;

import dev.spine.contracts.JobTier;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import dev.spine.events.NatsSettings;
import dev.spine.events.StreamTopology;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The engine's settings, one typed record per concern: {@link PostgresSettings}, {@link NatsSettings},
 * {@link IngestSettings}, {@link WorkerSettings}, plus the routing file, whether job lifecycle events are
 * published and the folder of handler plug-in jars. Read from {@code SPINE_*} environment variables by one
 * {@link SettingsReader}; each variable is listed in {@link #VARIABLES} with its default (and by
 * {@code spine serve --help}). Every default runs against the local services of a developer machine. A bad
 * value fails with the variable's name.
 */
public record ServiceConfig(PostgresSettings postgres, NatsSettings nats, IngestSettings ingest, WorkerSettings workers,
        Path routesFile, boolean lifecycleEvents, Path pluginsDir) {

    /** Every variable with its default and meaning, in the order {@code spine serve --help} lists them. */
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .addAll(NatsSettings.VARIABLES)
            .addAll(PostgresSettings.VARIABLES)
            .add("SPINE_ROUTES_FILE", "", "routing file (YAML); empty: the bundled platform defaults")
            .addAll(IngestSettings.VARIABLES)
            .addAll(WorkerSettings.VARIABLES)
            .add("SPINE_LIFECYCLE_EVENTS", "false", "publish job.Enqueued / job.Completed / job.Failed")
            .add("SPINE_PLUGINS_DIR", "", "folder whose *.jar files add job handler plug-ins; empty: class path only")
            .build();

    /** Settings from the process environment. */
    public static ServiceConfig fromEnvironment() {
        return from(System.getenv()::get);
    }

    /** Settings from any lookup (tests pass a map). Unset or blank values take the defaults. */
    public static ServiceConfig from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        String routes = r.text("SPINE_ROUTES_FILE");
        String plugins = r.text("SPINE_PLUGINS_DIR");
        return new ServiceConfig(PostgresSettings.from(r), NatsSettings.from(env), IngestSettings.from(r),
                WorkerSettings.from(r), routes.isEmpty() ? null : Path.of(routes), r.bool("SPINE_LIFECYCLE_EVENTS"),
                plugins.isEmpty() ? null : Path.of(plugins));
    }

    /** The defaults alone. */
    public static ServiceConfig defaults() {
        return from(name -> null);
    }

    /** This config with some variables replaced (tests, the demo). */
    public ServiceConfig with(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(asVariables());
        all.putAll(overrides);
        return from(all::get);
    }

    /** This config as variables, the inverse of {@link #from} (NATS secrets included: never log it). */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>(nats.asVariables());
        m.putAll(postgres.asVariables());
        m.put("SPINE_ROUTES_FILE", routesFile == null ? "" : routesFile.toString());
        m.putAll(ingest.asVariables());
        m.putAll(workers.asVariables());
        m.put("SPINE_LIFECYCLE_EVENTS", String.valueOf(lifecycleEvents));
        m.put("SPINE_PLUGINS_DIR", pluginsDir == null ? "" : pluginsDir.toString());
        return m;
    }

    /** The streams this config names: prefixes, replicas and domains. */
    public StreamTopology topology() {
        return nats.topology();
    }

    /** Handler threads of {@code tier}'s queue. */
    public int workers(JobTier tier) {
        return workers.threads(tier);
    }
}
