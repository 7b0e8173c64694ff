package dev.spine.service;

import com.codahale.metrics.MetricRegistry;
import com.zaxxer.hikari.HikariDataSource;
import dev.spine.contracts.ConfigException;
import dev.spine.contracts.JobTier;
import dev.spine.events.EventPublisher;
import dev.spine.jobs.JobHandler;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobQueueBuilder;
import dev.spine.jobs.QueueOptions;
import dev.spine.postgres.PgPools;
import dev.spine.service.internal.Breakers;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker-only process ({@code spine worker --handlers <jar>}): the handlers of some plug-in jars run on the
 * job service's tier queues, with its breakers, shutdown and rescue settings, and nothing else: no event
 * ingest, no cron, no HTTP. It registers in the worker registry with exactly its job types, so it claims only
 * their jobs and the job service (or another worker) keeps the rest; several such processes with disjoint
 * handler sets share the tiers safely.
 */
public final class HandlerWorker implements AutoCloseable {
    /** What a bad jar is reported against: the command line's option. */
    public static final String HANDLERS_OPTION = "--handlers";
    private static final Logger LOG = LoggerFactory.getLogger(HandlerWorker.class);

    private final HikariDataSource dataSource;
    private final JobQueue jobs;
    private final Set<String> types;

    private HandlerWorker(HikariDataSource dataSource, JobQueue jobs, Set<String> types) {
        this.types = Collections.unmodifiableSet(new TreeSet<>(types)); // sorted: printed at start
        this.dataSource = dataSource;
        this.jobs = jobs;
    }

    /**
     * Loads the handlers of {@code jars} (and refuses jars with none), migrates the job tables if this is the
     * first process to reach the database, and starts working {@code tiers} with the configured threads per
     * tier. {@code publisher} is what the handlers publish follow-up events with.
     */
    public static HandlerWorker start(ServiceConfig config, List<Path> jars, Set<JobTier> tiers,
            EventPublisher publisher, MetricRegistry metrics) {
        if (jars.isEmpty()) {
            throw new ConfigException(HANDLERS_OPTION, "name at least one handler jar");
        }
        if (tiers.isEmpty()) {
            throw new ConfigException("--tiers", "name at least one tier");
        }
        // the jars' providers only: whatever else is on this process's class path belongs to other processes
        Map<String, JobHandler> handlers = Plugins.handlers(Plugins.classLoader(jars, HANDLERS_OPTION), true,
                new HandlerContext(publisher, metrics), HANDLERS_OPTION);
        if (handlers.isEmpty()) {
            throw new ConfigException(HANDLERS_OPTION, "no JobHandlerProvider listed in META-INF/services of " + jars);
        }
        return start(config, handlers, tiers, metrics);
    }

    /**
     * Starts working {@code tiers} with {@code handlers} (by job type), as {@link #start(ServiceConfig, List, Set,
     * EventPublisher, MetricRegistry)} does with a jar's: for a process that has its handlers in hand (the demo's
     * worker processes) rather than in plug-in jars.
     */
    public static HandlerWorker start(ServiceConfig config, Map<String, JobHandler> handlers, Set<JobTier> tiers,
            MetricRegistry metrics) {
        if (handlers.isEmpty()) {
            throw new ConfigException("handlers", "name at least one job type to handle");
        }
        if (tiers.isEmpty()) {
            throw new ConfigException("--tiers", "name at least one tier");
        }
        HikariDataSource dataSource = PgPools.create(config.postgres().url(), config.postgres().poolSize(),
                "spine-worker");
        try {
            Breakers breakers = new Breakers(config.workers().breakerFailureThreshold(), config.workers().breakerOpenFor());
            JobQueueBuilder b = JobService.queueBuilder(config, dataSource, metrics);
            for (JobTier tier : tiers) {
                b.createQueue(tier.queueName()).work(QueueOptions.of(tier.queueName(), config.workers(tier)));
            }
            handlers.forEach((type, h) -> b.handler(type, breakers.wrap(type, h)));
            JobQueue jobs = b.build();
            jobs.migrate();
            jobs.start();
            LOG.info("worker started: job types {} on {}", handlers.keySet(), tiers.stream().map(JobTier::queueName).toList());
            return new HandlerWorker(dataSource, jobs, handlers.keySet());
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The job types this worker serves. */
    public Set<String> jobTypes() {
        return types;
    }

    public JobQueue jobs() {
        return jobs;
    }

    /** Stops claiming, finishes running jobs up to the shutdown timeout, then closes the pool. */
    @Override
    public void close() {
        try {
            jobs.close();
        } finally {
            dataSource.close();
        }
    }
}
