package dev.spine.jobs;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.internal.Maintenance;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What {@link JobQueueBuilder#build()} checked, copied once: the built queue reads only this, so changing
 * the builder afterwards (or building a second queue from it) changes nothing in a queue already built.
 * Every collection is an unmodifiable copy in the order the builder was given it; defaults (metrics
 * registry, mapper, OpenTelemetry) are resolved here, never written back into the builder.
 */
final class JobQueueConfig {
    final DataSource dataSource;
    final String schema;
    final Clock clock;
    final MetricRegistry metrics;
    final ObjectMapper mapper;
    final Map<String, JobHandler> handlers;
    final Map<String, QueueOptions> queues;
    final List<String> createQueues;
    final Map<String, CronSchedule> schedules;
    final int maxPayloadBytes;
    final Duration keyRetention;
    final boolean archiveCompleted;
    final boolean vacuumHotTable;
    final boolean notifyInTransaction;
    final boolean autoMigrate;
    final Duration shutdownTimeout;
    final Duration cronPollInterval;
    final JobListener listener;
    final OpenTelemetry openTelemetry;
    /** Heartbeat, rescue, stats and prune timings, as one record for {@link Maintenance}. */
    final Maintenance.Settings maintenance;

    /** Copies {@code b}, whose values {@code build()} has checked. */
    JobQueueConfig(JobQueueBuilder b, MetricRegistry metrics, ObjectMapper mapper, OpenTelemetry openTelemetry) {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.clock = b.clock;
        this.metrics = metrics;
        this.mapper = mapper;
        this.handlers = Collections.unmodifiableMap(new LinkedHashMap<>(b.handlers));
        this.queues = Collections.unmodifiableMap(new LinkedHashMap<>(b.queues));
        this.createQueues = List.copyOf(b.createQueues);
        this.schedules = Collections.unmodifiableMap(new LinkedHashMap<>(b.schedules));
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.keyRetention = b.keyRetention;
        this.archiveCompleted = b.archiveCompleted;
        this.vacuumHotTable = b.vacuumHotTable;
        this.notifyInTransaction = b.notifyInTransaction;
        this.autoMigrate = b.autoMigrate;
        this.shutdownTimeout = b.shutdownTimeout;
        this.cronPollInterval = b.cronPollInterval;
        this.listener = b.listener;
        this.openTelemetry = openTelemetry;
        this.maintenance = new Maintenance.Settings(b.heartbeatInterval, b.staleAfter, b.timeoutGrace,
                b.statsInterval, b.pruneInterval, b.archiveRetention);
    }
}
