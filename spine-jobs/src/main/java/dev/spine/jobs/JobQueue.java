package dev.spine.jobs;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.internal.AdminSql;
import dev.spine.jobs.internal.CronScheduler;
import dev.spine.jobs.internal.Enqueuer;
import dev.spine.jobs.internal.JobFactory;
import dev.spine.jobs.internal.PgScheduleStore;
import dev.spine.jobs.internal.LocalDispatch;
import dev.spine.jobs.internal.JobMetrics;
import dev.spine.jobs.internal.JobRunner;
import dev.spine.jobs.internal.JobStore;
import dev.spine.jobs.internal.JobTracing;
import dev.spine.jobs.internal.Maintenance;
import dev.spine.jobs.internal.NamedThreads;
import dev.spine.jobs.internal.Notifier;
import dev.spine.jobs.internal.Outcome;
import dev.spine.jobs.internal.OutcomeWriter;
import dev.spine.jobs.internal.PgJobStore;
import dev.spine.jobs.internal.PullWaiters;
import dev.spine.jobs.internal.QueueRegistry;
import dev.spine.jobs.internal.QueueWorker;
import dev.spine.jobs.internal.RunnableJob;
import dev.spine.jobs.internal.ServedTypes;
import dev.spine.jobs.internal.Sql;
import dev.spine.jobs.internal.WakeListener;
import dev.spine.jobs.internal.Wakeups;
import dev.spine.postgres.LegacyVersionTable;
import dev.spine.postgres.SchemaMigrator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable job queue on PostgreSQL: the one object an application builds.
 *
 * <pre>{@code
 * JobQueue jobs = JobQueue.builder(dataSource)
 *         .handler("SendEmail", job -> mailer.send(job.payload(Email.class)))
 *         .work("interactive", 8)
 *         .build();
 * jobs.start();
 * jobs.enqueue(JobRequest.of("SendEmail", email).queue("interactive").idempotencyKey(email.id()));
 * }</pre>
 *
 * <p>Guarantees: an enqueued job is durable once {@code enqueue} returns (or the caller's transaction
 * commits); it runs at least once, and more than once only after a failure or a crash, so handlers must
 * be idempotent. A job is claimed by one worker at a time. An idempotency key yields one job while the
 * key is retained, also after that job finished. Within a queue, higher priority runs first, then the
 * earlier due time. A failed attempt is retried with backoff until max attempts, then the job is
 * dead-lettered with every attempt's error and can be redriven.
 *
 * <p>Lifecycle (the one place it is written down). {@code build()} starts no thread and opens no
 * connection. {@link #start()} migrates the schema, then starts in this order: the heartbeat (this
 * process's {@code worker} row: what it serves), the census of waiting job types (which claim statement each
 * queue uses) and housekeeping, the outcome writer, the notifier, the LISTEN connection
 * (only if this process works queues), the timeout watchdog, the queue workers, the cron scheduler. A queue
 * that is never started still enqueues and operates: its notifier starts at the first enqueue, and
 * {@link #runOnce} starts the timeout watchdog. {@link #close()} stops in this order, each step needing
 * the ones after it: cron (no new ticks), fetching (no new claims), running jobs (up to the shutdown
 * timeout, then interrupted and handed back), the outcome writer (after it wrote what those jobs
 * produced), the notifier (after it sent what is pending), the LISTEN connection, housekeeping and the
 * timer, and last this process's {@code worker} row.
 */
public final class JobQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    /** The queue's tables as a migration component: its history table is {@code spine_jobs_history}. */
    public static final String SCHEMA_COMPONENT = "spine-jobs";
    /** Where the queue's scripts are on the class path: V1__jobs.sql, V2__payload_json.sql, ... */
    private static final String SCHEMA_SCRIPTS = "dev/spine/jobs/migrations";

    /** The builder's values as checked by {@code build()}: the builder itself is never read again. */
    private final JobQueueConfig options;
    private final UUID workerId = UUID.randomUUID();
    private final ObjectMapper mapper;
    private final JobMetrics metrics;
    private final Sql sql;
    private final JobStore store;
    private final QueueRegistry queues;
    private final JobFactory factory;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService housekeeping;
    /** Vacuums of the hot table, on a thread of their own; null when this process claims nothing or may not. */
    private final ScheduledExecutorService vacuums;
    private final OutcomeWriter writer;
    private final JobTracing tracing;
    private final JobRunner runner;
    private final ServedTypes served;
    private final Map<String, QueueWorker> workers;
    private final Notifier notifier;
    private final WakeListener listener;
    private final Maintenance maintenance;
    private final Wakeups wakeups;
    private final Enqueuer enqueuer;
    /** Null when no schedule is configured. */
    private final CronScheduler cron;
    private final PgScheduleStore scheduleStore;
    private final Schedules schedules;
    private final PullWorkers pullWorkers;
    private boolean listening;
    private boolean schemaCurrent;
    private boolean started;
    private boolean closed;

    JobQueue(JobQueueConfig options) {
        this.options = options;
        this.mapper = options.mapper;
        this.metrics = new JobMetrics(options.metrics);
        this.sql = new Sql(options.schema);
        this.store = new PgJobStore(options.dataSource, sql, new AdminSql(options.schema), mapper);
        this.queues = new QueueRegistry(store);
        this.factory = new JobFactory(mapper, options.clock, queues, options.maxPayloadBytes);
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, new NamedThreads("spine-jobs-timer"));
        // wake-ups for retries coming due are scheduled and some cancelled: keep cancelled ones out of the heap
        timerPool.setRemoveOnCancelPolicy(true);
        this.timer = timerPool;
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(new NamedThreads("spine-jobs-housekeeping"));
        this.vacuums = options.vacuumHotTable && !options.queues.isEmpty()
                ? Executors.newSingleThreadScheduledExecutor(new NamedThreads("spine-jobs-vacuum")) : null;
        this.writer = new OutcomeWriter(store, workerId, options.clock, options.archiveCompleted,
                this::dueLater);
        this.tracing = new JobTracing(options.openTelemetry);
        this.runner = new JobRunner(Map.copyOf(options.handlers), options.clock, metrics, timer, mapper,
                options.listener, tracing, writer::add);
        this.served = new ServedTypes(options.handlers.keySet());
        Map<String, QueueWorker> w = new java.util.LinkedHashMap<>();
        options.queues.values().forEach(q -> w.put(q.name(),
                new QueueWorker(q, store, runner, metrics, options.clock, workerId, served)));
        this.workers = Map.copyOf(w);
        this.notifier = new Notifier(options.dataSource, sql.notifyMany, sql.channel, workerId);
        PullWaiters pullWaiters = new PullWaiters();
        this.wakeups = new Wakeups(workers, notifier, timer, options.clock, pullWaiters);
        this.enqueuer = new Enqueuer(options.dataSource, store, factory, metrics, wakeups, options.clock,
                options.keyRetention, options.notifyInTransaction,
                new LocalDispatch(workers, served, workerId, mapper, metrics, writer::add));
        this.listener = new WakeListener(options.dataSource, sql.listen, workerId.toString(), wakeups::wakeLocal);
        this.maintenance = new Maintenance(store, metrics, options.clock, registration(), served,
                options.maintenance, wakeups::wakeLocal);
        this.scheduleStore = new PgScheduleStore(options.dataSource, options.schema);
        this.cron = options.schedules.isEmpty() ? null : new CronScheduler(options.dataSource, options.schema,
                List.copyOf(options.schedules.values()), options.cronPollInterval, this::enqueue, scheduleStore);
        this.schedules = new Schedules(scheduleStore, r -> enqueueAllDetailed(List.of(r)).get(0), this::find,
                options.clock);
        this.pullWorkers = new PullWorkers(store, runner, queues, pullWaiters, options.clock, timer,
                options.archiveCompleted, options.maintenance.staleAfter(), this::dueLater, this::listen);
    }

    /** This process's row in the worker registry: the queues it works (with their threads) and its handlers' types. */
    private JobStore.Registration registration() {
        List<String> names = new ArrayList<>();
        List<Integer> threads = new ArrayList<>();
        options.queues.values().forEach(q -> {
            names.add(q.name());
            threads.add(q.concurrency());
        });
        return new JobStore.Registration(workerId, hostName(), options.clock.instant(), names, threads,
                List.copyOf(options.handlers.keySet()));
    }

    public static JobQueueBuilder builder(DataSource dataSource) {
        return new JobQueueBuilder(dataSource);
    }

    /**
     * The migrations of the queue's tables in {@code schema} (component {@value #SCHEMA_COMPONENT}, history table
     * {@code spine_jobs_history}): for a deploy step that migrates before the application starts, or to print
     * the SQL. A schema made by the queue's pre-Flyway runner ({@code schema_version}) is baselined in place.
     */
    public static SchemaMigrator schemaMigrator(DataSource dataSource, String schema) {
        return schemaMigrator(dataSource, schema, JobQueueBuilder.DEFAULT_AUTO_MIGRATE);
    }

    private static SchemaMigrator schemaMigrator(DataSource dataSource, String schema, boolean autoMigrate) {
        return SchemaMigrator.builder(dataSource).component(SCHEMA_COMPONENT).location(SCHEMA_SCRIPTS)
                .schema(Names.checkSchema(schema)).legacyVersionTable(LegacyVersionTable.SCHEMA_VERSION)
                .autoMigrate(autoMigrate).classLoader(JobQueue.class.getClassLoader()).build();
    }

    /**
     * Migrates the schema ({@link JobQueueBuilder#autoMigrate}; only validates it when that is off) and creates
     * configured queues, without starting threads. The schema is looked at once per queue object; later calls
     * only re-read the queues.
     */
    public synchronized void migrate() {
        if (!schemaCurrent) {
            schemaMigrator(options.dataSource, options.schema, options.autoMigrate).ensureCurrent();
            schemaCurrent = true;
        }
        queues.reload();
        options.createQueues.forEach(queues::create);
        for (String q : options.queues.keySet()) {
            queues.check(q, "queues[" + q + "].name");
        }
    }

    /** Writes this process's schedules (the job of each, resolved and checked as an enqueue would) for operators. */
    private void defineSchedules() {
        Instant now = options.clock.instant();
        for (CronSchedule s : options.schedules.values()) {
            scheduleStore.define(s, factory.create(s.job().fields(), "schedules[" + s.name() + "].job."), now);
        }
    }

    /** Migrates, then starts workers, the LISTEN connection, housekeeping and cron schedules. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        migrate();
        maintenance.heartbeat();
        maintenance.census(); // before the workers' first claims: which statement each queue's claims use
        // the queue gauges exist from the first scrape on, not only after the first scheduled refresh
        maintenance.refreshStats();
        maintenance.schedule(housekeeping);
        if (vacuums != null) {
            maintenance.scheduleVacuum(vacuums);
        }
        writer.start();
        notifier.start();
        if (!workers.isEmpty()) {
            listen();
        }
        runner.start();
        workers.values().forEach(QueueWorker::start);
        if (cron != null) {
            defineSchedules();
            cron.start();
        }
        started = true;
        LOG.info("job queue started: schema {}, worker {}, queues {}, handlers {}, schedules {}", options.schema,
                workerId, options.queues.keySet(), options.handlers.keySet(), options.schedules.keySet());
    }

    /**
     * Enqueues one job and returns once it is committed: its id, or the existing job's id for a duplicate
     * key. Concurrent calls share transactions (client-side group commit), so many threads enqueueing
     * singly are not limited by one commit per job.
     */
    public UUID enqueue(JobRequest request) {
        return enqueuer.enqueueOne(request == null ? null : request.fields());
    }

    /**
     * Enqueues jobs in one transaction and one statement (COPY for large keyless batches), committed when this
     * returns; returns their ids in order. A bad request rejects the whole batch before anything is written.
     */
    public List<UUID> enqueueAll(List<JobRequest> requests) {
        return enqueueAllDetailed(requests).stream().map(Enqueued::id).toList();
    }

    /**
     * Like {@link #enqueueAll(List)} (inserted and committed now, on a connection of this queue's own), also
     * telling for each job whether this call created it or its idempotency key named an existing job. Due jobs
     * go straight to this process's idle workers and other workers are woken after the commit.
     */
    public List<Enqueued> enqueueAllDetailed(List<JobRequest> requests) {
        return enqueuer.enqueueAllCommitted(fields(requests));
    }

    /**
     * Enqueues in the caller's transaction: the job exists if and only if that transaction commits, and nothing
     * is committed here. Sends one NOTIFY in the transaction (PostgreSQL folds repeats, so one per queue per
     * transaction) unless {@code notifyInTransaction(false)}; then call {@link #wake(String)} after the commit,
     * or let the workers find the job at their next poll. A job enqueued this way is never handed to this
     * process's idle worker directly (the transaction may still roll back).
     *
     * @throws IllegalArgumentException if {@code connection} is in auto-commit mode (there is no transaction
     *     to join; use {@link #enqueue(JobRequest)} or {@link #enqueueAllDetailed(List)} to commit at once)
     */
    public UUID enqueue(Connection connection, JobRequest request) throws SQLException {
        return enqueueAll(connection, java.util.Collections.singletonList(request)).get(0);
    }

    /** Batch form of {@link #enqueue(Connection, JobRequest)}: in the caller's transaction, one statement. */
    public List<UUID> enqueueAll(Connection connection, List<JobRequest> requests) throws SQLException {
        return enqueueAllDetailed(connection, requests).stream().map(Enqueued::id).toList();
    }

    /**
     * Like {@link #enqueueAll(Connection, List)} (in the caller's transaction), also telling for each job
     * whether this call created it.
     */
    public List<Enqueued> enqueueAllDetailed(Connection connection, List<JobRequest> requests) throws SQLException {
        return enqueuer.enqueueInTransaction(connection, fields(requests));
    }

    private static List<JobFactory.Fields> fields(List<JobRequest> requests) {
        if (requests == null) {
            return null;
        }
        List<JobFactory.Fields> out = new ArrayList<>(requests.size());
        for (JobRequest r : requests) {
            out.add(r == null ? null : r.fields());
        }
        return out;
    }

    /**
     * Says that jobs of {@code queue} were committed by a transaction this queue did not see commit (e.g.
     * after {@code enqueueAll(connection, ...)} with {@code notifyInTransaction(false)}): wakes this process's
     * worker now and tells other processes with the coalesced NOTIFY.
     */
    public void wake(String queue) {
        wakeups.wake(queue);
    }

    private void dueLater(String queue, Instant due) {
        wakeups.dueLater(queue, due);
    }

    /**
     * One fetch-run-write cycle of {@code queue} on the calling thread: claims up to {@code limit} due jobs,
     * runs each to the end, writes the outcomes. For tests and tools that step a worker by hand (with a
     * settable clock, retries and backoff need no sleeping). Returns the number of jobs run.
     */
    public int runOnce(String queue, int limit) {
        runner.start(); // timeouts apply to jobs stepped by hand too
        List<RunnableJob> jobs = store.fetch(queue, served.forQueue(queue), limit, options.clock.instant(), workerId);
        List<Outcome> outcomes = new ArrayList<>(jobs.size());
        jobs.forEach(job -> runner.run(job, outcomes::add));
        if (!outcomes.isEmpty()) {
            writer.writeNow(outcomes);
        }
        return jobs.size();
    }

    /** Creates a custom queue (idempotent). */
    public void createQueue(String name) {
        queues.create(Names.checkQueue(name, "queue"));
    }

    /** Stops every process from starting jobs of {@code queue}; running jobs finish. */
    public void pause(String queue) {
        if (!store.setPaused(queue, true)) {
            throw new InvalidJobException(JobErrorCode.UNKNOWN_QUEUE, "queue", "no queue '" + queue + "'");
        }
    }

    public void resume(String queue) {
        if (!store.setPaused(queue, false)) {
            throw new InvalidJobException(JobErrorCode.UNKNOWN_QUEUE, "queue", "no queue '" + queue + "'");
        }
        wakeups.wake(queue);
    }

    /** Cancels a job that has not started: it moves to the archive as cancelled. False if it is running or gone. */
    public boolean cancel(UUID id) {
        return store.cancel(id, options.clock.instant());
    }

    /** Dead jobs, newest first, optionally of one queue and/or type (null for any). */
    public List<DeadJob> deadJobs(String queue, String type, int limit) {
        return deadJobs(queue, type, null, null, limit);
    }

    /**
     * The page of dead jobs after the one that ended at the dead job ({@code diedBefore}, {@code idBefore}): newest
     * first, keyset-paged so that jobs dying meanwhile neither shift nor repeat a page. Both null: the first page.
     */
    public List<DeadJob> deadJobs(String queue, String type, Instant diedBefore, UUID idBefore, int limit) {
        return store.listDead(queue, type, diedBefore, idBefore, limit);
    }

    /** Puts a dead job back as due now, attempts reset, error history kept. */
    public void redrive(UUID id) {
        String queue = store.redrive(id, options.clock.instant()).orElseThrow(() ->
                new InvalidJobException(JobErrorCode.NOT_FOUND, "id", "no dead job " + id));
        wakeups.wake(queue);
    }

    public boolean deleteDead(UUID id) {
        return store.deleteDead(id);
    }

    /** A job wherever it is: waiting, running, archived or dead. */
    public Optional<JobInfo> find(UUID id) {
        return store.find(id);
    }

    public List<JobInfo> findByCorrelationId(String correlationId, int limit) {
        return findByCorrelationId(correlationId, null, null, limit);
    }

    /** The page of a correlation's jobs (oldest first) after the job ({@code createdAfter}, {@code idAfter}). */
    public List<JobInfo> findByCorrelationId(String correlationId, Instant createdAfter, UUID idAfter, int limit) {
        return store.findByCorrelation(correlationId, createdAfter, idAfter, limit);
    }

    /**
     * The schema's cron schedules, for operators: list, fire now, pause, resume. Usable on a queue that was
     * built and never started (a CLI): schedules are read from the schema, as their processes defined them.
     */
    public Schedules schedules() {
        return schedules;
    }

    /**
     * Workers in other processes, in any language, that pull jobs of their types over an API (long-poll fetch,
     * heartbeat, complete, fail) with this queue's retries, backoff, timeouts and dead letters. Their timeouts are
     * enforced by this object's timer, and the jobs of one that stops heartbeating are rescued by the housekeeping
     * of a started queue.
     */
    public PullWorkers pullWorkers() {
        return pullWorkers;
    }

    /** Starts the LISTEN connection once: for this process's queue workers, or for pull workers' waiting fetches. */
    private synchronized void listen() {
        if (!listening && !closed) {
            listening = true;
            listener.start();
        }
    }

    /** Counts per queue, read now. */
    public List<QueueStats> stats() {
        return store.queueStats(options.clock.instant());
    }

    /**
     * The worker registry: every process that runs a queue on this schema (live or not yet pruned), with the
     * queues it works, its threads per queue and the job types it has handlers for, as of its last heartbeat.
     * Live: a heartbeat within this queue's {@code staleAfter}.
     */
    public List<WorkerInfo> workers() {
        return store.workers(options.clock.instant().minus(options.maintenance.staleAfter()));
    }

    /**
     * Job types waiting in a queue that no live worker serves (none works that queue with a handler for the
     * type), with how many jobs of each wait, read now. Such jobs use no attempt while they wait and run as soon as
     * a process that serves them starts; the gauge {@code spine.jobs.unserved.<queue>.<type>} shows the same.
     */
    public List<UnservedType> unservedTypes() {
        return store.waitingTypes(options.clock.instant().minus(options.maintenance.staleAfter())).stream()
                .filter(w -> !w.served()).map(w -> new UnservedType(w.queue(), w.type(), w.waiting())).toList();
    }

    public MetricRegistry metrics() {
        return metrics.registry();
    }

    /** This process's worker id (the {@code worker} row that heartbeats). */
    public UUID workerId() {
        return workerId;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (cron != null) {
                cron.close();
            }
            for (QueueWorker w : workers.values()) {
                w.stopFetching();
            }
            long deadline = System.nanoTime() + options.shutdownTimeout.toNanos();
            boolean allDone = true;
            for (QueueWorker w : workers.values()) {
                allDone &= w.awaitIdle(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            }
            if (!allDone) {
                runner.handBack();
                for (QueueWorker w : workers.values()) {
                    w.interruptAndAwait();
                }
            }
            writer.close(options.shutdownTimeout.toMillis());
            notifier.close();
            listener.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            housekeeping.shutdownNow();
            if (vacuums != null) {
                vacuums.shutdownNow();
            }
            timer.shutdownNow();
            if (started) {
                try {
                    store.removeWorker(workerId);
                } catch (JobStoreException e) {
                    LOG.warn("could not remove worker row {}; it expires by itself", workerId, e);
                }
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
