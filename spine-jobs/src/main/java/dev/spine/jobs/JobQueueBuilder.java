package dev.spine.jobs;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Options of a {@link JobQueue}; every one has a named default. {@link #build()} checks them all and names
 * the bad field; nothing is corrected silently. {@code build()} takes a snapshot: changing the builder
 * afterwards changes nothing in a queue already built (it may build another).
 */
public final class JobQueueBuilder {
    public static final String DEFAULT_SCHEMA = "spine_jobs";
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_KEY_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_ARCHIVE_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STATS_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_PRUNE_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CRON_POLL_INTERVAL = Duration.ofSeconds(10);
    public static final boolean DEFAULT_AUTO_MIGRATE = true;
    /** A process that works queues vacuums the hot table itself (see {@link #vacuumHotTable}). */
    public static final boolean DEFAULT_VACUUM_HOT_TABLE = true;

    final DataSource dataSource;
    String schema = DEFAULT_SCHEMA;
    boolean autoMigrate = DEFAULT_AUTO_MIGRATE;
    Clock clock = Clock.systemUTC();
    MetricRegistry metrics;
    ObjectMapper mapper;
    final Map<String, JobHandler> handlers = new LinkedHashMap<>();
    final Map<String, QueueOptions> queues = new LinkedHashMap<>();
    final List<String> createQueues = new ArrayList<>();
    final Map<String, CronSchedule> schedules = new LinkedHashMap<>();
    int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    Duration keyRetention = DEFAULT_KEY_RETENTION;
    boolean archiveCompleted = true;
    boolean vacuumHotTable = DEFAULT_VACUUM_HOT_TABLE;
    Duration archiveRetention = DEFAULT_ARCHIVE_RETENTION;
    Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    Duration staleAfter = DEFAULT_STALE_AFTER;
    Duration timeoutGrace = DEFAULT_TIMEOUT_GRACE;
    Duration statsInterval = DEFAULT_STATS_INTERVAL;
    Duration pruneInterval = DEFAULT_PRUNE_INTERVAL;
    Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    Duration cronPollInterval = DEFAULT_CRON_POLL_INTERVAL;
    boolean notifyInTransaction = true;
    JobListener listener = new JobListener() { };
    OpenTelemetry openTelemetry;

    JobQueueBuilder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The PostgreSQL schema of the queue's tables (created and migrated on start). Default {@value #DEFAULT_SCHEMA}. */
    public JobQueueBuilder schema(String schema) {
        this.schema = schema;
        return this;
    }

    /**
     * Whether {@link JobQueue#migrate()} (and so {@link JobQueue#start()}) creates and upgrades the tables
     * (default {@value #DEFAULT_AUTO_MIGRATE}). Off, for teams that migrate in a deploy step of their own
     * ({@link JobQueue#schemaMigrator}), it only validates: it writes nothing and fails naming the first
     * script not applied yet, or one changed since it was applied.
     */
    public JobQueueBuilder autoMigrate(boolean autoMigrate) {
        this.autoMigrate = autoMigrate;
        return this;
    }

    /** The clock every time decision uses (run-at, backoff, heartbeats); tests pass a settable one. */
    public JobQueueBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public JobQueueBuilder metrics(MetricRegistry registry) {
        this.metrics = registry;
        return this;
    }

    /** The Jackson mapper for payloads (default: a plain {@code new ObjectMapper()}). */
    public JobQueueBuilder objectMapper(ObjectMapper mapper) {
        this.mapper = mapper;
        return this;
    }

    /**
     * Runs jobs of {@code type} in this process (on whichever queue they are enqueued). The process claims only
     * jobs of the types it has handlers for: others wait for a process that has theirs.
     */
    public JobQueueBuilder handler(String type, JobHandler handler) {
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "handlers[" + type + "]",
                    "a handler for this type is already registered");
        }
        return this;
    }

    /**
     * Runs jobs of {@code type} in this process, handing {@code handler} the payload decoded as the type's class.
     * The same as {@code handler(type.name(), job -> handler.handle(type.payloadOf(job), job))}.
     */
    public <T> JobQueueBuilder handler(JobType<T> type, TypedJobHandler<T> handler) {
        Objects.requireNonNull(type, "type");
        if (handler == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "handlers[" + type.name() + "]",
                    "a handler is required");
        }
        return handler(type.name(), job -> handler.handle(type.payloadOf(job), job));
    }

    /** Works {@code options.name()} in this process. A process with no queues only enqueues. */
    public JobQueueBuilder work(QueueOptions options) {
        queues.put(options.name(), options);
        return this;
    }

    /** Works a queue with {@code concurrency} handler threads and default fetch size and polling. */
    public JobQueueBuilder work(String queue, int concurrency) {
        return work(QueueOptions.of(queue, concurrency));
    }

    /** Creates a custom queue on start if it does not exist (the three tiers always exist). */
    public JobQueueBuilder createQueue(String name) {
        createQueues.add(name);
        return this;
    }

    public JobQueueBuilder schedule(CronSchedule schedule) {
        if (schedules.putIfAbsent(schedule.name(), schedule) != null) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "schedules[" + schedule.name() + "]",
                    "a schedule with this name is already registered");
        }
        return this;
    }

    /** Largest serialized payload accepted. Default 1 MiB. */
    public JobQueueBuilder maxPayloadBytes(int bytes) {
        this.maxPayloadBytes = bytes;
        return this;
    }

    /** How long an idempotency key is remembered after its enqueue. Default 7 days. */
    public JobQueueBuilder keyRetention(Duration retention) {
        this.keyRetention = retention;
        return this;
    }

    /** Keep completed jobs in the archive table (for lookups by id and correlation id). Default true. */
    public JobQueueBuilder archiveCompleted(boolean archive) {
        this.archiveCompleted = archive;
        return this;
    }

    /**
     * Whether a process that works queues vacuums the hot job table itself when its dead rows pass autovacuum's
     * threshold for it (checked every stats interval, paced to a tenth of one backend at most). Autovacuum
     * visits a database once a minute at most and not at all where it is off, while a queue finishing thousands
     * of jobs a second leaves a hundred thousand dead rows a minute that every claim walks past. Needs the role
     * to own the table (else it is tried once and logged). Default true; false where operators vacuum it.
     */
    public JobQueueBuilder vacuumHotTable(boolean vacuum) {
        this.vacuumHotTable = vacuum;
        return this;
    }

    /** How long archived jobs are kept. Default 7 days. */
    public JobQueueBuilder archiveRetention(Duration retention) {
        this.archiveRetention = retention;
        return this;
    }

    /** How often this process proves it is alive. Default 5 s. */
    public JobQueueBuilder heartbeatInterval(Duration interval) {
        this.heartbeatInterval = interval;
        return this;
    }

    /** After this long without a heartbeat, a process's running jobs are rescued. Default 30 s. */
    public JobQueueBuilder staleAfter(Duration staleAfter) {
        this.staleAfter = staleAfter;
        return this;
    }

    /** A running job is also rescued when it overran its timeout by this much (its worker is stuck). Default 30 s. */
    public JobQueueBuilder timeoutGrace(Duration grace) {
        this.timeoutGrace = grace;
        return this;
    }

    public JobQueueBuilder statsInterval(Duration interval) {
        this.statsInterval = interval;
        return this;
    }

    public JobQueueBuilder pruneInterval(Duration interval) {
        this.pruneInterval = interval;
        return this;
    }

    /** How long {@code close()} lets running jobs finish before interrupting and handing them back. Default 30 s. */
    public JobQueueBuilder shutdownTimeout(Duration timeout) {
        this.shutdownTimeout = timeout;
        return this;
    }

    /** How often db-scheduler looks for due cron ticks. Default 10 s. */
    public JobQueueBuilder cronPollInterval(Duration interval) {
        this.cronPollInterval = interval;
        return this;
    }

    /**
     * Whether {@code enqueue(connection, ...)} sends a NOTIFY in the caller's transaction (default true).
     * Off, the caller's commits are never serialised by NOTIFY, and workers find the jobs at their next poll.
     */
    public JobQueueBuilder notifyInTransaction(boolean notify) {
        this.notifyInTransaction = notify;
        return this;
    }

    /**
     * Traces every attempt as a CONSUMER span, child of the trace context stored with the job, current while
     * the handler runs. Default: {@code GlobalOpenTelemetry} (a no-op that costs nothing unless an SDK is set).
     */
    public JobQueueBuilder openTelemetry(OpenTelemetry openTelemetry) {
        this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        return this;
    }

    /** Told of every attempt's end in this process (lifecycle events, observation). */
    public JobQueueBuilder listener(JobListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public JobQueue build() {
        if (dataSource == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "dataSource", "a DataSource is required");
        }
        Names.checkSchema(schema);
        Objects.requireNonNull(clock, "clock");
        if (maxPayloadBytes < 2) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "maxPayloadBytes", "must be at least 2");
        }
        positive("keyRetention", keyRetention);
        positive("archiveRetention", archiveRetention);
        positive("heartbeatInterval", heartbeatInterval);
        positive("staleAfter", staleAfter);
        positive("timeoutGrace", timeoutGrace);
        positive("statsInterval", statsInterval);
        positive("pruneInterval", pruneInterval);
        positive("shutdownTimeout", shutdownTimeout);
        positive("cronPollInterval", cronPollInterval);
        if (staleAfter.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "staleAfter",
                    "must be at least twice heartbeatInterval (" + heartbeatInterval + "), or live workers get rescued");
        }
        handlers.forEach((type, h) -> {
            if (type == null || type.isBlank() || h == null) {
                throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "handlers[" + type + "]",
                        "a type and a handler are required");
            }
        });
        createQueues.forEach(q -> Names.checkQueue(q, "createQueue"));
        // a snapshot: the queue never reads this builder again, so later changes to it change nothing there
        return new JobQueue(new JobQueueConfig(this, metrics == null ? new MetricRegistry() : metrics,
                mapper == null ? new ObjectMapper() : mapper,
                openTelemetry == null ? GlobalOpenTelemetry.get() : openTelemetry));
    }

    private static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, field, "must be a positive duration, was " + d);
        }
    }
}
