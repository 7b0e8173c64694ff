package dev.spine.jobs.internal;

import dev.spine.jobs.Backoff;
import dev.spine.jobs.JobRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

/**
 * The statements of the schedules table (migration V5): define, list, pause, record a fire, and read the job a
 * schedule makes. Row shapes are enums of their columns beside the statements (see {@link Column}); the schema
 * is spliced in once, every value is a bind parameter.
 */
final class ScheduleSql {
    /** A schedule without its job's state, as {@link #list} and {@link #find} return it; {@code %1$s} is the schema. */
    enum Row implements Column {
        NAME("s.name"), CRON("s.cron"), ZONE("s.zone"), TYPE("s.job_type"), QUEUE("s.queue"), PAUSED("s.paused"),
        NEXT_FIRE("(select min(t.execution_time) from %1$s.scheduled_tasks t where t.task_name = s.name) as next_fire"),
        LAST_FIRE("s.last_fire"), LAST_JOB("s.last_job_id"), DEFINED_AT("s.defined_at");

        private final String sql;
        final int at;

        Row(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static PgScheduleStore.Stored read(ResultSet rs) throws SQLException {
            return new PgScheduleStore.Stored(rs.getString(NAME.at), rs.getString(CRON.at), rs.getString(ZONE.at),
                    rs.getString(TYPE.at), rs.getString(QUEUE.at), rs.getBoolean(PAUSED.at),
                    PgTypes.instant(rs, NEXT_FIRE.at), PgTypes.instant(rs, LAST_FIRE.at),
                    rs.getObject(LAST_JOB.at, UUID.class), PgTypes.instant(rs, DEFINED_AT.at));
        }
    }

    /** The job a schedule makes, as {@link #jobOf} returns it. */
    enum JobRow implements Column {
        TYPE("job_type"), QUEUE("queue"), PRIORITY("priority"), MAX_ATTEMPTS("max_attempts"), BACKOFF("backoff_ms"),
        BACKOFF_MAX("backoff_max_ms"), TIMEOUT("timeout_ms"), PAYLOAD("payload::text");

        private final String sql;
        final int at;

        JobRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static JobRequest read(ResultSet rs) throws SQLException {
            return JobRequest.json(rs.getString(TYPE.at), rs.getString(PAYLOAD.at)).queue(rs.getString(QUEUE.at))
                    .priority(rs.getInt(PRIORITY.at)).maxAttempts(rs.getInt(MAX_ATTEMPTS.at))
                    .backoff(new Backoff(Duration.ofMillis(rs.getInt(BACKOFF.at)), Duration.ofMillis(rs.getInt(BACKOFF_MAX.at))))
                    .timeout(Duration.ofMillis(rs.getInt(TIMEOUT.at)));
        }
    }

    /** Writes a definition; an existing row keeps its paused flag and last fire. */
    final String define;
    final String list;
    final String find;
    final String jobOf;
    final String setPaused;
    /** Column {@code paused}; no row when the schedule is not defined. */
    final String paused;
    final String fired;

    ScheduleSql(String schema) {
        String s = schema;
        define = "insert into " + s + ".schedule (name, cron, zone, job_type, queue, priority, max_attempts, "
                + "backoff_ms, backoff_max_ms, timeout_ms, payload, defined_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + "?::json, ?) on conflict (name) do update set cron = excluded.cron, zone = excluded.zone, "
                + "job_type = excluded.job_type, queue = excluded.queue, priority = excluded.priority, "
                + "max_attempts = excluded.max_attempts, backoff_ms = excluded.backoff_ms, "
                + "backoff_max_ms = excluded.backoff_max_ms, timeout_ms = excluded.timeout_ms, "
                + "payload = excluded.payload, defined_at = excluded.defined_at";
        String columns = String.format(Column.list(Row.values()), s);
        list = "select " + columns + " from " + s + ".schedule s order by s.name";
        find = "select " + columns + " from " + s + ".schedule s where s.name = ?";
        jobOf = "select " + Column.list(JobRow.values()) + " from " + s + ".schedule where name = ?";
        setPaused = "update " + s + ".schedule set paused = ? where name = ?";
        paused = "select paused from " + s + ".schedule where name = ?";
        fired = "update " + s + ".schedule set last_fire = ?, last_job_id = ? where name = ? "
                + "and (last_fire is null or last_fire <= ?)";
    }
}
