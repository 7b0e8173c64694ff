package dev.spine.jobs.internal;

import static dev.spine.jobs.internal.PgTypes.at;

import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.JobRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Runs the statements of {@link ScheduleSql}: the one place the schedules table is read and written. */
public final class PgScheduleStore {
    /** A schedule's row, with its next tick from db-scheduler. */
    public record Stored(String name, String cron, String zone, String jobType, String queue, boolean paused,
            Instant nextFire, Instant lastFire, UUID lastJobId, Instant definedAt) {}

    private final ScheduleSql sql;
    private final PgCalls calls;

    public PgScheduleStore(DataSource dataSource, String schema) {
        this.sql = new ScheduleSql(schema);
        this.calls = new PgCalls(dataSource);
    }

    /** Writes what {@code schedule} enqueues at each tick ({@code job}, resolved as the queue would insert it). */
    public void define(CronSchedule schedule, NewJob job, Instant now) {
        calls.update(sql.define, schedule.name(), schedule.cron(), schedule.zone().getId(), job.type(), job.queue(),
                job.priority(), job.maxAttempts(), job.backoffMillis(), job.backoffMaxMillis(), job.timeoutMillis(),
                job.payloadJson(), at(now));
    }

    public List<Stored> list() {
        return calls.query(sql.list, ScheduleSql.Row::read);
    }

    public Optional<Stored> find(String name) {
        return calls.query(sql.find, ScheduleSql.Row::read, name).stream().findFirst();
    }

    /** The job {@code name} makes (without key or run time); empty when no such schedule is defined. */
    public Optional<JobRequest> jobOf(String name) {
        return calls.query(sql.jobOf, ScheduleSql.JobRow::read, name).stream().findFirst();
    }

    /** False when no such schedule is defined. */
    public boolean setPaused(String name, boolean paused) {
        return calls.update(sql.setPaused, paused, name) == 1;
    }

    /** Whether ticks of {@code name} enqueue nothing now (false for a schedule not written yet). */
    boolean paused(String name) {
        return calls.query(sql.paused, rs -> rs.getBoolean(1), name).stream().findFirst().orElse(false);
    }

    /** Records a fire that made (or found, for a repeated key) {@code jobId}; an older fire never overwrites a newer. */
    public void fired(String name, Instant when, UUID jobId) {
        calls.update(sql.fired, at(when), jobId, name, at(when));
    }
}
