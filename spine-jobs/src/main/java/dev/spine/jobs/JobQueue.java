package dev.spine.jobs;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.internal.CronScheduler;
import dev.spine.jobs.internal.EnqueueCombiner;
import dev.spine.jobs.internal.JobFactory;
import dev.spine.jobs.internal.JobMetrics;
import dev.spine.jobs.internal.JobRunner;
import dev.spine.jobs.internal.JobStore;
import dev.spine.jobs.internal.JobTracing;
import dev.spine.jobs.internal.Maintenance;
import dev.spine.jobs.internal.Migrations;
import dev.spine.jobs.internal.NamedThreads;
import dev.spine.jobs.internal.NewJob;
import dev.spine.jobs.internal.Notifier;
import dev.spine.jobs.internal.Outcome;
import dev.spine.jobs.internal.OutcomeWriter;
import dev.spine.jobs.internal.PgJobStore;
import dev.spine.jobs.internal.QueueRegistry;
import dev.spine.jobs.internal.QueueWorker;
import dev.spine.jobs.internal.RunnableJob;
import dev.spine.jobs.internal.Sql;
import dev.spine.jobs.internal.WakeListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * <p>Lifecycle: {@link #start()} migrates the schema and starts workers, listener, housekeeping and cron;
 * {@link #close()} stops in this order: cron, fetching, running jobs (up to the shutdown timeout, then
 * interrupted and handed back), outcome writes, notifications, housekeeping.
 */
public final class JobQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    /** Combined single-enqueue transactions in flight at once; more adds little once commits are shared. */
    private static final int COMBINED_TRANSACTIONS = 4;

    private final JobQueueBuilder options;
    private final UUID workerId = UUID.randomUUID();
    private final ObjectMapper mapper;
    private final JobMetrics metrics;
    private final Sql sql;
    private final JobStore store;
    private final QueueRegistry queues;
    private final JobFactory factory;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService housekeeping;
    private final OutcomeWriter writer;
    private final JobTracing tracing;
    private final JobRunner runner;
    private final Map<String, QueueWorker> workers;
    private final Notifier notifier;
    private final WakeListener listener;
    private final Maintenance maintenance;
    private final EnqueueCombiner combiner;
    private CronScheduler cron;
    private boolean started;
    private boolean closed;

    JobQueue(JobQueueBuilder options, MetricRegistry registry, ObjectMapper mapper) {
        this.options = options;
        this.mapper = mapper;
        this.metrics = new JobMetrics(registry);
        this.sql = new Sql(options.schema);
        this.store = new PgJobStore(options.dataSource, sql, mapper);
        this.queues = new QueueRegistry(store);
        this.factory = new JobFactory(mapper, options.clock, queues, options.maxPayloadBytes);
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, new NamedThreads("spine-jobs-timer"));
        // every attempt schedules its timeout and cancels it when done: keep cancelled ones out of the heap
        timerPool.setRemoveOnCancelPolicy(true);
        this.timer = timerPool;
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(new NamedThreads("spine-jobs-housekeeping"));
        this.writer = new OutcomeWriter(store, workerId, options.clock, options.archiveCompleted, this::dueLater);
        this.tracing = new JobTracing(options.openTelemetry);
        this.runner = new JobRunner(Map.copyOf(options.handlers), options.clock, metrics, timer, mapper,
                options.listener, tracing, writer::add);
        Map<String, QueueWorker> w = new java.util.LinkedHashMap<>();
        options.queues.values().forEach(q -> w.put(q.name(), new QueueWorker(q, store, runner, options.clock, workerId)));
        this.workers = Map.copyOf(w);
        this.combiner = new EnqueueCombiner(COMBINED_TRANSACTIONS, this::insertCommitted);
        this.notifier = new Notifier(options.dataSource, sql.notifyMany, sql.channel, workerId);
        this.listener = new WakeListener(options.dataSource, sql.listen, workerId.toString(), this::wakeLocal);
        this.maintenance = new Maintenance(store, metrics, options.clock, workerId, hostName(), new Maintenance.Settings(
                options.heartbeatInterval, options.staleAfter, options.timeoutGrace, options.statsInterval,
                options.pruneInterval, options.archiveRetention), this::wakeLocal);
    }

    public static JobQueueBuilder builder(DataSource dataSource) {
        return new JobQueueBuilder(dataSource);
    }

    /** Migrates the schema (under an advisory lock) and creates configured queues, without starting threads. */
    public synchronized void migrate() {
        Migrations.migrate(options.dataSource, options.schema, Migrations.JOBS_COMPONENT, Migrations.JOBS_SCRIPTS,
                Migrations.class);
        queues.reload();
        options.createQueues.forEach(queues::create);
        for (String q : options.queues.keySet()) {
            queues.check(q, "queues[" + q + "].name");
        }
    }

    /** Migrates, then starts workers, the LISTEN connection, housekeeping and cron schedules. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        migrate();
        maintenance.heartbeat();
        maintenance.schedule(housekeeping);
        writer.start();
        notifier.start();
        if (!workers.isEmpty()) {
            listener.start();
        }
        workers.values().forEach(QueueWorker::start);
        if (!options.schedules.isEmpty()) {
            cron = new CronScheduler(options.dataSource, options.schema, List.copyOf(options.schedules.values()),
                    options.cronPollInterval, this::enqueue);
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
        return combiner.enqueue(prepare(List.of(request)).get(0));
    }

    /**
     * Enqueues jobs in one transaction and one statement (COPY for large keyless batches); returns their ids
     * in order. A bad request rejects the whole batch before anything is written.
     */
    public List<UUID> enqueueAll(List<JobRequest> requests) {
        return insertCommitted(prepare(requests));
    }

    private List<UUID> insertCommitted(List<NewJob> jobs) {
        try (Connection c = options.dataSource.getConnection()) {
            List<UUID> ids = insert(c, jobs);
            if (!c.getAutoCommit()) {
                c.commit();
            }
            afterCommit(jobs);
            return ids;
        } catch (SQLException e) {
            throw new JobStoreException("enqueue of " + jobs.size() + " jobs failed", e);
        }
    }

    /**
     * Enqueues in the caller's transaction: the job exists if and only if that transaction commits. Sends
     * one NOTIFY in the transaction (PostgreSQL folds repeats) unless {@code notifyInTransaction(false)}.
     */
    public UUID enqueue(Connection connection, JobRequest request) throws SQLException {
        return enqueueAll(connection, List.of(request)).get(0);
    }

    /** Batch form of {@link #enqueue(Connection, JobRequest)}. */
    public List<UUID> enqueueAll(Connection connection, List<JobRequest> requests) throws SQLException {
        return enqueueAllDetailed(connection, requests).stream().map(Enqueued::id).toList();
    }

    /** Like {@link #enqueueAll(Connection, List)}, also telling for each job whether this call created it. */
    public List<Enqueued> enqueueAllDetailed(Connection connection, List<JobRequest> requests) throws SQLException {
        List<NewJob> jobs = prepare(requests);
        List<Enqueued> result = insertDetailed(connection, jobs);
        if (options.notifyInTransaction) {
            for (String q : jobs.stream().map(NewJob::queue).distinct().toList()) {
                store.notify(connection, Notifier.payload(q, "tx"));
            }
        }
        return result;
    }

    private List<NewJob> prepare(List<JobRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "jobs", "at least one job is required");
        }
        List<NewJob> jobs = new ArrayList<>(requests.size());
        boolean batch = requests.size() > 1;
        for (int i = 0; i < requests.size(); i++) {
            JobRequest r = requests.get(i);
            String at = batch ? "jobs[" + i + "]." : "";
            if (r == null) {
                throw new InvalidJobException(JobErrorCode.MISSING_FIELD, batch ? "jobs[" + i + "]" : "job", "is null");
            }
            jobs.add(factory.create(new JobFactory.Fields(r.type, r.payload, r.rawJson, r.queue, r.priority, r.runAt,
                    r.delay, r.maxAttempts, r.backoff.initial().toMillis(), r.backoff.max().toMillis(), r.timeout,
                    r.idempotencyKey, r.correlationId, r.traceparent, r.tracestate), at));
        }
        return jobs;
    }

    private List<UUID> insert(Connection c, List<NewJob> jobs) throws SQLException {
        return insertDetailed(c, jobs).stream().map(Enqueued::id).toList();
    }

    private List<Enqueued> insertDetailed(Connection c, List<NewJob> jobs) throws SQLException {
        Instant now = options.clock.instant();
        Set<UUID> inserted = store.insert(c, jobs, now, now.plus(options.keyRetention));
        metrics.enqueued(inserted.size());
        List<String> missing = new ArrayList<>();
        for (NewJob j : jobs) {
            if (!inserted.contains(j.id())) {
                missing.add(j.idempotencyKey());
            }
        }
        Map<String, UUID> existing = missing.isEmpty() ? Map.of() : store.lookupKeys(c, missing);
        List<Enqueued> out = new ArrayList<>(jobs.size());
        for (NewJob j : jobs) {
            boolean created = inserted.contains(j.id());
            out.add(new Enqueued(created ? j.id() : existing.get(j.idempotencyKey()), created));
        }
        return out;
    }

    private void afterCommit(List<NewJob> jobs) {
        Instant now = options.clock.instant();
        for (String q : jobs.stream().map(NewJob::queue).distinct().toList()) {
            tellOthers(q);
        }
        for (NewJob j : jobs) {
            wakeAt(j.queue(), j.runAt(), now);
        }
    }

    private void dueLater(String queue, Instant due) {
        wakeAt(queue, due, options.clock.instant());
    }

    /** Wakes this process's worker of {@code queue} when a job comes due (other processes poll or get NOTIFY). */
    private void wakeAt(String queue, Instant due, Instant now) {
        QueueWorker w = workers.get(queue);
        if (w == null) {
            return;
        }
        long millis = Duration.between(now, due).toMillis();
        if (millis <= 0) {
            w.wake();
        } else if (!timer.isShutdown()) {
            timer.schedule(w::wake, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Says that jobs of {@code queue} were committed by a transaction this queue did not see commit (e.g.
     * after {@code enqueueAll(connection, ...)} with {@code notifyInTransaction(false)}): wakes this process's
     * worker now and tells other processes with the coalesced NOTIFY.
     */
    public void wake(String queue) {
        tellOthers(queue);
        wakeLocal(queue);
    }

    /**
     * Tells other processes that {@code queue} has new jobs: through the coalescing notifier once started,
     * else (a queue used only to enqueue or operate, e.g. by the CLI) with one NOTIFY right away.
     */
    private void tellOthers(String queue) {
        if (notifier.running()) {
            notifier.jobsAdded(queue);
            return;
        }
        try (Connection c = options.dataSource.getConnection()) {
            store.notify(c, Notifier.payload(queue, workerId.toString()));
        } catch (SQLException e) {
            LOG.warn("NOTIFY for queue {} failed; workers find the jobs at their next poll", queue, e);
        }
    }

    private void wakeLocal(String queue) {
        QueueWorker w = workers.get(queue);
        if (w != null) {
            w.wake();
        }
    }

    /**
     * One fetch-run-write cycle of {@code queue} on the calling thread: claims up to {@code limit} due jobs,
     * runs each to the end, writes the outcomes. For tests and tools that step a worker by hand (with a
     * settable clock, retries and backoff need no sleeping). Returns the number of jobs run.
     */
    public int runOnce(String queue, int limit) {
        List<RunnableJob> jobs = store.fetch(queue, limit, options.clock.instant(), workerId);
        List<Outcome> outcomes = new ArrayList<>(jobs.size());
        JobRunner stepRunner = new JobRunner(Map.copyOf(options.handlers), options.clock, metrics, timer, mapper,
                options.listener, tracing, outcomes::add);
        jobs.forEach(stepRunner::run);
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
        tellOthers(queue);
        wakeLocal(queue);
    }

    /** Cancels a job that has not started: it moves to the archive as cancelled. False if it is running or gone. */
    public boolean cancel(UUID id) {
        return store.cancel(id, options.clock.instant());
    }

    /** Dead jobs, newest first, optionally of one queue and/or type (null for any). */
    public List<DeadJob> deadJobs(String queue, String type, int limit) {
        return store.listDead(queue, type, limit);
    }

    /** Puts a dead job back as due now, attempts reset, error history kept. */
    public void redrive(UUID id) {
        String queue = store.redrive(id, options.clock.instant()).orElseThrow(() ->
                new InvalidJobException(JobErrorCode.NOT_FOUND, "id", "no dead job " + id));
        tellOthers(queue);
        wakeLocal(queue);
    }

    public boolean deleteDead(UUID id) {
        return store.deleteDead(id);
    }

    /** A job wherever it is: waiting, running, archived or dead. */
    public Optional<JobInfo> find(UUID id) {
        return store.find(id);
    }

    public List<JobInfo> findByCorrelationId(String correlationId, int limit) {
        return store.findByCorrelation(correlationId, limit);
    }

    /** Counts per queue, read now. */
    public List<QueueStats> stats() {
        return store.queueStats(options.clock.instant());
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
