package dev.spine.jobs.internal;

import static dev.spine.jobs.internal.PgTypes.at;

import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.QueueStats;
import dev.spine.jobs.WorkerInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The operator half of {@link PgJobStore}: runs the statements of {@link AdminSql} (stats, workers, queues, pause,
 * cancel, dead jobs, lookups). Reached only through {@link JobStore}, the one storage seam.
 */
final class PgAdminStore {
    private final AdminSql sql;
    private final PgCalls calls;

    PgAdminStore(DataSource dataSource, AdminSql sql) {
        this.sql = sql;
        this.calls = new PgCalls(dataSource);
    }

    List<QueueStats> queueStats(Instant now) {
        return calls.query(sql.queueDepths, AdminSql.QueueStatsRow::read, at(now), at(now));
    }

    List<WorkerInfo> workers(Instant liveSince) {
        return calls.query(sql.listWorkers, AdminSql.WorkerRow::read, at(liveSince));
    }

    List<String> queues() {
        return calls.query(sql.listQueues, rs -> rs.getString("name"));
    }

    void createQueue(String name) {
        calls.update(sql.createQueue, name);
    }

    boolean setPaused(String queue, boolean paused) {
        return calls.update(sql.setPaused, paused, queue) == 1;
    }

    boolean cancel(UUID id, Instant now) {
        return !calls.query(sql.cancelAvailable, rs -> rs.getObject("id"), id, at(now)).isEmpty();
    }

    /** Newest first; with {@code diedBefore} and {@code idBefore}, the page after the row they name. */
    List<DeadJob> listDead(String queue, String type, Instant diedBefore, UUID idBefore, int limit) {
        return calls.query(sql.listDead, AdminSql.DeadRow::read, queue, queue, type, type,
                orNull(diedBefore), orNull(diedBefore), idBefore, limit);
    }

    Optional<DeadJob> findDead(UUID id) {
        return calls.query(sql.findDead, AdminSql.DeadRow::read, id).stream().findFirst();
    }

    Optional<String> redrive(UUID id, Instant now) {
        return calls.query(sql.redrive, rs -> rs.getString("queue"), id, at(now)).stream().findFirst();
    }

    boolean deleteDead(UUID id) {
        return calls.update(sql.deleteDead, id) == 1;
    }

    Optional<JobInfo> find(UUID id) {
        List<JobInfo> hot = calls.query(sql.findJob, AdminSql.InfoRow::read, id);
        if (!hot.isEmpty()) {
            return Optional.of(hot.get(0));
        }
        List<JobInfo> archived = calls.query(sql.findJobArchived, AdminSql.InfoRow::read, id);
        if (!archived.isEmpty()) {
            return Optional.of(archived.get(0));
        }
        return findDead(id).map(d -> new JobInfo(d.id(), d.queue(), d.type(), "dead", d.priority(), d.attempts(),
                d.maxAttempts(), d.payloadJson(), d.correlationId(), d.traceparent(), d.createdAt(), d.diedAt(),
                d.errorsJson()));
    }

    /** Oldest first; with {@code createdAfter} and {@code idAfter}, the page after the row they name. */
    List<JobInfo> findByCorrelation(String correlationId, Instant createdAfter, UUID idAfter, int limit) {
        return calls.query(sql.findByCorrelation, AdminSql.InfoRow::read, correlationId, correlationId, correlationId,
                orNull(createdAfter), orNull(createdAfter), idAfter, limit);
    }

    private static java.time.OffsetDateTime orNull(Instant t) {
        return t == null ? null : at(t);
    }
}
