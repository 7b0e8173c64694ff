package dev.spine.service;

import dev.spine.contracts.ConfigException;
import dev.spine.events.NatsConnections;
import dev.spine.events.StreamTopology;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.JobTier;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The job service's settings, read from {@code SPINE_*} environment variables (each listed in
 * {@link #VARIABLES} with its default, and by {@code spine serve --help}). Every default runs against the
 * local services of a developer machine. A bad value fails with the variable's name.
 */
public record ServiceConfig(
        String natsUrl,
        String pgUrl,
        int pgPoolSize,
        String schema,
        Path routesFile,
        String streamPrefix,
        String subjectPrefix,
        String consumerName,
        int batchSize,
        Duration linger,
        int maxAckPending,
        Map<JobTier, Integer> workers,
        boolean lifecycleEvents,
        Duration shutdownTimeout,
        int breakerFailureThreshold,
        Duration breakerOpenFor,
        Duration cronPollInterval,
        int streamReplicas,
        Duration ackWait,
        Duration workerStaleAfter,
        NatsConnections nats) {

    /** Handler threads per tier ({@code SPINE_WORKERS_<TIER>}); a tier not named here gets {@link #DEFAULT_TIER_WORKERS}. */
    public static final Map<JobTier, Integer> DEFAULT_WORKERS = Map.of(JobTier.REALTIME, 16, JobTier.INTERACTIVE, 8,
            JobTier.BACKGROUND, 4);
    public static final int DEFAULT_TIER_WORKERS = 4;

    /** Every variable with its default and meaning, in the order {@code spine serve --help} lists them. */
    public static final Map<String, String[]> VARIABLES;
    private static final Map<String, String[]> TABLE = new LinkedHashMap<>();

    static {
        v("SPINE_NATS_URL", "nats://127.0.0.1:4222", "NATS server(s), comma-separated");
        v("SPINE_EVENT_BUS", "nats", "event backend: the job service consumes NATS JetStream only");
        v("SPINE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "PostgreSQL JDBC URL");
        v("SPINE_PG_POOL_SIZE", "24", "PostgreSQL connections of this process");
        v("SPINE_PG_SCHEMA", "spine_jobs", "schema of the job tables (migrated on start)");
        v("SPINE_ROUTES_FILE", "", "routing file (YAML); empty: the bundled platform defaults");
        v("SPINE_STREAM_PREFIX", "", "prefix of stream names (shared clusters, tests)");
        v("SPINE_SUBJECT_PREFIX", "", "prefix of event subjects, e.g. events.");
        v("SPINE_CONSUMER", "job-service", "durable consumer shared by all job service instances");
        v("SPINE_BATCH_SIZE", "500", "most events materialised in one transaction");
        v("SPINE_LINGER", "1ms", "how long an idle batch waits for more events");
        v("SPINE_MAX_ACK_PENDING", "10000", "events in flight per consumer (backpressure bound)");
        for (JobTier tier : JobTier.values()) {
            v(workersVariable(tier), String.valueOf(DEFAULT_WORKERS.getOrDefault(tier, DEFAULT_TIER_WORKERS)),
                    "handler threads of the " + tier.queueName() + " queue");
        }
        v("SPINE_LIFECYCLE_EVENTS", "false", "publish job.Enqueued / job.Completed / job.Failed");
        v("SPINE_SHUTDOWN_TIMEOUT", "30s", "how long SIGTERM waits for in-flight batches and jobs");
        v("SPINE_BREAKER_FAILURES", "50", "failure rate (%) over the last 20 runs of a job type that opens its breaker");
        v("SPINE_BREAKER_OPEN_FOR", "30s", "how long an open breaker holds jobs back before a half-open probe");
        v("SPINE_CRON_POLL_INTERVAL", "10s", "how often due cron ticks are looked for");
        v("SPINE_STREAM_REPLICAS", "1", "replicas of the streams the service provisions (3 in a cluster)");
        v("SPINE_ACK_WAIT", "30s", "how long an unacknowledged event waits before redelivery (an instance died)");
        v("SPINE_WORKER_STALE_AFTER", "30s", "silence after which a worker's running jobs are rescued (heartbeat: a sixth)");
        // NATS authentication and TLS (empty: none); secrets are never logged nor shown by toString()
        NatsConnections.VARIABLES.forEach((name, meaning) -> v(name, "", meaning));
        VARIABLES = Collections.unmodifiableMap(TABLE);
    }

    private static void v(String name, String fallback, String meaning) {
        TABLE.put(name, new String[] {fallback, meaning});
    }

    /** The variable of a tier's handler threads: {@code SPINE_WORKERS_REALTIME} and so on. */
    public static String workersVariable(JobTier tier) {
        return "SPINE_WORKERS_" + tier.name();
    }

    private static Map<JobTier, Integer> workers(SettingsReader r) {
        Map<JobTier, Integer> workers = new EnumMap<>(JobTier.class);
        for (JobTier tier : JobTier.values()) {
            workers.put(tier, r.integer(workersVariable(tier), 1, 10_000));
        }
        return Collections.unmodifiableMap(workers);
    }

    /** Handler threads of {@code tier}'s queue. */
    public int workers(JobTier tier) {
        return workers.get(tier);
    }

    /** Settings from the process environment. */
    public static ServiceConfig fromEnvironment() {
        return from(System.getenv()::get);
    }

    /** Settings from any lookup (tests pass a map). Unset or blank values take the defaults. */
    public static ServiceConfig from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        if (!r.text("SPINE_EVENT_BUS").equals("nats")) {
            throw new ConfigException("SPINE_EVENT_BUS", "the job service consumes NATS JetStream only, so it must be "
                    + "'nats' (or unset), was '" + r.text("SPINE_EVENT_BUS") + "'");
        }
        String routes = r.text("SPINE_ROUTES_FILE");
        return new ServiceConfig(r.text("SPINE_NATS_URL"), r.text("SPINE_PG_URL"), r.integer("SPINE_PG_POOL_SIZE", 4, 500),
                r.text("SPINE_PG_SCHEMA"),
                routes.isEmpty() ? null : Path.of(routes), r.text("SPINE_STREAM_PREFIX"), r.text("SPINE_SUBJECT_PREFIX"),
                r.text("SPINE_CONSUMER"), r.integer("SPINE_BATCH_SIZE", 1, 10_000), r.duration("SPINE_LINGER"),
                r.integer("SPINE_MAX_ACK_PENDING", 1, 1_000_000), workers(r),
                r.bool("SPINE_LIFECYCLE_EVENTS"), r.duration("SPINE_SHUTDOWN_TIMEOUT"),
                r.integer("SPINE_BREAKER_FAILURES", 1, 100), r.duration("SPINE_BREAKER_OPEN_FOR"),
                r.duration("SPINE_CRON_POLL_INTERVAL"), r.integer("SPINE_STREAM_REPLICAS", 1, 5),
                r.duration("SPINE_ACK_WAIT"), r.duration("SPINE_WORKER_STALE_AFTER"), nats(env));
    }

    /** SPINE_NATS_URL with the SPINE_NATS_* authentication and TLS variables; a bad one names its variable. */
    private static NatsConnections nats(Function<String, String> env) {
        try {
            return NatsConnections.fromEnvironment(env);
        } catch (NatsConnections.InvalidSetting e) {
            throw new ConfigException(e.setting(), e.getMessage().substring(e.setting().length() + 2));
        }
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

    /** This config as variables, the inverse of {@link #from}. */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SPINE_NATS_URL", natsUrl);
        m.put("SPINE_EVENT_BUS", "nats");
        m.put("SPINE_PG_URL", pgUrl);
        m.put("SPINE_PG_POOL_SIZE", String.valueOf(pgPoolSize));
        m.put("SPINE_PG_SCHEMA", schema);
        m.put("SPINE_ROUTES_FILE", routesFile == null ? "" : routesFile.toString());
        m.put("SPINE_STREAM_PREFIX", streamPrefix);
        m.put("SPINE_SUBJECT_PREFIX", subjectPrefix);
        m.put("SPINE_CONSUMER", consumerName);
        m.put("SPINE_BATCH_SIZE", String.valueOf(batchSize));
        m.put("SPINE_LINGER", linger.toMillis() + "ms");
        m.put("SPINE_MAX_ACK_PENDING", String.valueOf(maxAckPending));
        workers.forEach((tier, n) -> m.put(workersVariable(tier), String.valueOf(n)));
        m.put("SPINE_LIFECYCLE_EVENTS", String.valueOf(lifecycleEvents));
        m.put("SPINE_SHUTDOWN_TIMEOUT", shutdownTimeout.toMillis() + "ms");
        m.put("SPINE_BREAKER_FAILURES", String.valueOf(breakerFailureThreshold));
        m.put("SPINE_BREAKER_OPEN_FOR", breakerOpenFor.toMillis() + "ms");
        m.put("SPINE_CRON_POLL_INTERVAL", cronPollInterval.toMillis() + "ms");
        m.put("SPINE_STREAM_REPLICAS", String.valueOf(streamReplicas));
        m.put("SPINE_ACK_WAIT", ackWait.toMillis() + "ms");
        m.put("SPINE_WORKER_STALE_AFTER", workerStaleAfter.toMillis() + "ms");
        m.putAll(nats.asVariables());
        return m;
    }

    /** The streams this config names: prefixes and replicas. */
    public StreamTopology topology() {
        return StreamTopology.builder().streamNamePrefix(streamPrefix).subjectPrefix(subjectPrefix)
                .replicas(streamReplicas).build();
    }
}
