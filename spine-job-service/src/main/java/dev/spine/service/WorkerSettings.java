package dev.spine.service;

import dev.spine.contracts.JobTier;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import dev.spine.jobs.JobQueueBuilder;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the engine runs jobs: handler threads per tier ({@code SPINE_WORKERS_<TIER>}: a new {@link JobTier}
 * gets its variable with no code here), how long shutdown waits for running jobs, when a silent instance's
 * jobs are rescued, the circuit breaker per job type, how often due cron ticks are looked for, and whether a
 * process that works queues vacuums the hot job table itself ({@code SPINE_VACUUM_HOT_TABLE}).
 */
public record WorkerSettings(Map<JobTier, Integer> threads, Duration shutdownTimeout, Duration staleAfter,
        int breakerFailureThreshold, Duration breakerOpenFor, Duration cronPollInterval, boolean vacuumHotTable) {
    /** Handler threads per tier; a tier not named here gets {@link #DEFAULT_TIER_THREADS}. */
    public static final Map<JobTier, Integer> DEFAULT_THREADS = Map.of(JobTier.REALTIME, 16, JobTier.INTERACTIVE, 8,
            JobTier.BACKGROUND, 4);
    public static final int DEFAULT_TIER_THREADS = 4;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = JobQueueBuilder.DEFAULT_SHUTDOWN_TIMEOUT;
    public static final Duration DEFAULT_STALE_AFTER = JobQueueBuilder.DEFAULT_STALE_AFTER;
    public static final int DEFAULT_BREAKER_FAILURES = 50;
    public static final Duration DEFAULT_BREAKER_OPEN_FOR = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CRON_POLL_INTERVAL = JobQueueBuilder.DEFAULT_CRON_POLL_INTERVAL;
    public static final Map<String, String[]> VARIABLES = variables();

    public WorkerSettings {
        threads = Collections.unmodifiableMap(new EnumMap<>(threads));
    }

    private static Map<String, String[]> variables() {
        VariableTable t = new VariableTable();
        for (JobTier tier : JobTier.values()) {
            t.add(threadsVariable(tier), String.valueOf(DEFAULT_THREADS.getOrDefault(tier, DEFAULT_TIER_THREADS)),
                    "handler threads of the " + tier.queueName() + " queue");
        }
        return t.add("SPINE_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT.toSeconds() + "s",
                        "how long SIGTERM waits for in-flight batches and jobs")
                .add("SPINE_BREAKER_FAILURES", String.valueOf(DEFAULT_BREAKER_FAILURES),
                        "failure rate (%) over the last 20 runs of a job type that opens its breaker")
                .add("SPINE_BREAKER_OPEN_FOR", DEFAULT_BREAKER_OPEN_FOR.toSeconds() + "s",
                        "how long an open breaker holds jobs back before a half-open probe")
                .add("SPINE_CRON_POLL_INTERVAL", DEFAULT_CRON_POLL_INTERVAL.toSeconds() + "s",
                        "how often due cron ticks are looked for")
                .add("SPINE_WORKER_STALE_AFTER", DEFAULT_STALE_AFTER.toSeconds() + "s",
                        "silence after which a worker's running jobs are rescued (heartbeat: a sixth)")
                .add("SPINE_VACUUM_HOT_TABLE", String.valueOf(JobQueueBuilder.DEFAULT_VACUUM_HOT_TABLE),
                        "vacuum the job table when its dead rows pass autovacuum's threshold (false: leave it to autovacuum)")
                .build();
    }

    /** The variable of a tier's handler threads: {@code SPINE_WORKERS_REALTIME} and so on. */
    public static String threadsVariable(JobTier tier) {
        return "SPINE_WORKERS_" + tier.name();
    }

    static WorkerSettings from(SettingsReader r) {
        Map<JobTier, Integer> threads = new EnumMap<>(JobTier.class);
        for (JobTier tier : JobTier.values()) {
            threads.put(tier, r.integer(threadsVariable(tier), 1, 10_000));
        }
        return new WorkerSettings(threads, r.duration("SPINE_SHUTDOWN_TIMEOUT"), r.duration("SPINE_WORKER_STALE_AFTER"),
                r.integer("SPINE_BREAKER_FAILURES", 1, 100), r.duration("SPINE_BREAKER_OPEN_FOR"),
                r.duration("SPINE_CRON_POLL_INTERVAL"), r.bool("SPINE_VACUUM_HOT_TABLE"));
    }

    /** Handler threads of {@code tier}'s queue. */
    public int threads(JobTier tier) {
        return threads.get(tier);
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        threads.forEach((tier, n) -> m.put(threadsVariable(tier), String.valueOf(n)));
        m.put("SPINE_SHUTDOWN_TIMEOUT", shutdownTimeout.toMillis() + "ms");
        m.put("SPINE_BREAKER_FAILURES", String.valueOf(breakerFailureThreshold));
        m.put("SPINE_BREAKER_OPEN_FOR", breakerOpenFor.toMillis() + "ms");
        m.put("SPINE_CRON_POLL_INTERVAL", cronPollInterval.toMillis() + "ms");
        m.put("SPINE_WORKER_STALE_AFTER", staleAfter.toMillis() + "ms");
        m.put("SPINE_VACUUM_HOT_TABLE", String.valueOf(vacuumHotTable));
        return m;
    }
}
