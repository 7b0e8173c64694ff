package dev.spine.jobs.internal;

import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.QueueStats;
import dev.spine.jobs.WorkerInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The statements operators ask for, apart from the hot path in {@link Sql}: queue stats, the worker registry,
 * queues and pausing, cancel, dead jobs (list, find, redrive, delete) and lookups of a job wherever it
 * is. Named after what they do;
 * each result row shape is an enum of its columns beside its statement, with its mapper (see {@link Column}).
 * {@code schema} is spliced in once, after it was checked; every value is a bind parameter.
 */
public final class AdminSql {
    /** A queue's counts, as {@link #queueDepths} returns them; {@code %1$s} is the schema. */
    enum QueueStatsRow implements Column {
        NAME("q.name"), PAUSED("q.paused"),
        AVAILABLE("count(j.id) filter (where j.state = 0 and j.run_at <= ?) as available"),
        SCHEDULED("count(j.id) filter (where j.state = 0 and j.run_at > ?) as scheduled"),
        RUNNING("count(j.id) filter (where j.state = 1) as running"),
        DEAD("(select count(*) from %1$s.dead_job d where d.queue = q.name) as dead");

        private final String sql;
        final int at;

        QueueStatsRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static QueueStats read(ResultSet rs) throws SQLException {
            return new QueueStats(rs.getString(NAME.at), rs.getBoolean(PAUSED.at), rs.getLong(AVAILABLE.at),
                    rs.getLong(SCHEDULED.at), rs.getLong(RUNNING.at), rs.getLong(DEAD.at));
        }
    }

    /** A dead job, as {@link #listDead} and {@link #findDead} return it. */
    enum DeadRow implements Column {
        ID("id"), QUEUE("queue"), TYPE("type"), PRIORITY("priority"), ATTEMPT("attempt"),
        MAX_ATTEMPTS("max_attempts"), PAYLOAD("payload::text"), IDEMPOTENCY_KEY("idempotency_key"),
        CORRELATION_ID("correlation_id"), TRACEPARENT("traceparent"), TRACESTATE("tracestate"),
        CREATED_AT("created_at"), DIED_AT("died_at"), ERRORS("errors::text");

        private final String sql;
        final int at;

        DeadRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static DeadJob read(ResultSet rs) throws SQLException {
            return new DeadJob(rs.getObject(ID.at, UUID.class), rs.getString(QUEUE.at), rs.getString(TYPE.at),
                    rs.getInt(PRIORITY.at), rs.getInt(ATTEMPT.at), rs.getInt(MAX_ATTEMPTS.at),
                    rs.getString(PAYLOAD.at), rs.getString(IDEMPOTENCY_KEY.at), rs.getString(CORRELATION_ID.at),
                    rs.getString(TRACEPARENT.at), rs.getString(TRACESTATE.at), PgTypes.instant(rs, CREATED_AT.at),
                    PgTypes.instant(rs, DIED_AT.at), rs.getString(ERRORS.at));
        }
    }

    /**
     * A job wherever it is (hot table, archive, dead letters), as {@link #findJob}, {@link #findJobArchived} and
     * {@link #findByCorrelation} return it; {@code %1$s} is the state, {@code %2$s} when it finished, per table.
     */
    enum InfoRow implements Column {
        ID("id"), QUEUE("queue"), TYPE("type"), STATE("%1$s as state"), PRIORITY("priority"), ATTEMPT("attempt"),
        MAX_ATTEMPTS("max_attempts"), PAYLOAD("payload::text"), CORRELATION_ID("correlation_id"),
        TRACEPARENT("traceparent"), CREATED_AT("created_at"), FINISHED_AT("%2$s as finished_at"),
        ERRORS("errors::text");

        private final String sql;
        final int at;

        InfoRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static JobInfo read(ResultSet rs) throws SQLException {
            return new JobInfo(rs.getObject(ID.at, UUID.class), rs.getString(QUEUE.at), rs.getString(TYPE.at),
                    rs.getString(STATE.at), rs.getInt(PRIORITY.at), rs.getInt(ATTEMPT.at), rs.getInt(MAX_ATTEMPTS.at),
                    rs.getString(PAYLOAD.at), rs.getString(CORRELATION_ID.at), rs.getString(TRACEPARENT.at),
                    PgTypes.instant(rs, CREATED_AT.at), PgTypes.instant(rs, FINISHED_AT.at), rs.getString(ERRORS.at));
        }
    }

    /** A worker process's registry row, as {@link #listWorkers} returns it. */
    enum WorkerRow implements Column {
        ID("id"), HOST("host"), STARTED_AT("started_at"), HEARTBEAT_AT("heartbeat_at"), LIVE("heartbeat_at > ?"),
        QUEUES("queues"), CONCURRENCY("concurrency"), TYPES("types");

        private final String sql;
        final int at;

        WorkerRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static WorkerInfo read(ResultSet rs) throws SQLException {
            String[] queues = (String[]) rs.getArray(QUEUES.at).getArray();
            Integer[] concurrency = (Integer[]) rs.getArray(CONCURRENCY.at).getArray();
            Map<String, Integer> byQueue = new LinkedHashMap<>();
            for (int i = 0; i < queues.length; i++) {
                byQueue.put(queues[i], i < concurrency.length ? concurrency[i] : 0);
            }
            return new WorkerInfo(rs.getObject(ID.at, UUID.class), rs.getString(HOST.at),
                    PgTypes.instant(rs, STARTED_AT.at), PgTypes.instant(rs, HEARTBEAT_AT.at), rs.getBoolean(LIVE.at),
                    byQueue, List.of((String[]) rs.getArray(TYPES.at).getArray()));
        }
    }

    final String queueDepths;
    final String listWorkers;
    /** Column {@code name}. */
    final String listQueues;
    final String createQueue;
    final String setPaused;
    /** Returns column {@code id} of the cancelled job. */
    final String cancelAvailable;
    final String listDead;
    final String findDead;
    /** Returns column {@code queue} of the redriven job. */
    final String redrive;
    final String deleteDead;
    final String findJob;
    final String findJobArchived;
    final String findByCorrelation;

    public AdminSql(String schema) {
        String s = schema;
        queueDepths = "select " + String.format(Column.list(QueueStatsRow.values()), s) + " from " + s + ".queue q "
                + "left join " + s + ".job j on j.queue = q.name group by q.name, q.paused order by q.name";
        listWorkers = "select " + Column.list(WorkerRow.values()) + " from " + s
                + ".worker order by host, started_at, id";
        listQueues = "select name from " + s + ".queue";
        createQueue = "insert into " + s + ".queue (name) values (?) on conflict (name) do nothing";
        setPaused = "update " + s + ".queue set paused = ? where name = ?";
        cancelAvailable = "with gone as (delete from " + s + ".job where id = ? and state = 0 returning *) "
                + "insert into " + s + ".job_archive (id, queue, type, state, priority, attempt, max_attempts, payload, "
                + "correlation_id, traceparent, tracestate, created_at, finished_at, errors) select id, queue, type, "
                + "'cancelled', priority, attempt, max_attempts, payload, correlation_id, traceparent, tracestate, "
                + "created_at, ?, errors from gone returning id";
        String deadColumns = Column.list(DeadRow.values());
        // keyset paging: a page starts below the (died_at, id) where the previous one ended
        listDead = "select " + deadColumns + " from " + s + ".dead_job where (?::text is null or queue = ?) "
                + "and (?::text is null or type = ?) "
                + "and (?::timestamptz is null or (died_at, id) < (?::timestamptz, ?::uuid)) "
                + "order by died_at desc, id desc limit ?";
        findDead = "select " + deadColumns + " from " + s + ".dead_job where id = ?";
        // Redrive: the dead job goes back to the hot table as new (attempt 0), keeping its error history.
        redrive = "with back as (delete from " + s + ".dead_job where id = ? returning *) "
                + "insert into " + s + ".job (id, queue, type, priority, run_at, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, errors) select id, queue, type, priority, ?, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, errors from back returning queue";
        deleteDead = "delete from " + s + ".dead_job where id = ?";
        String infoColumns = Column.list(InfoRow.values());
        findJob = "select " + String.format(infoColumns, "case state when 0 then 'available' else 'running' end",
                "null::timestamptz") + " from " + s + ".job where id = ?";
        findJobArchived = "select " + String.format(infoColumns, "state", "finished_at") + " from " + s
                + ".job_archive where id = ?";
        findByCorrelation = "select * from (select " + String.format(infoColumns,
                "case state when 0 then 'available' else 'running' end", "null::timestamptz") + " from " + s
                + ".job where correlation_id = ? union all select " + String.format(infoColumns, "state",
                "finished_at") + " from " + s + ".job_archive where correlation_id = ? union all select "
                + String.format(infoColumns, "'dead'", "died_at") + " from " + s
                + ".dead_job where correlation_id = ?) all_jobs "
                + "where (?::timestamptz is null or (created_at, id) > (?::timestamptz, ?::uuid)) "
                + "order by created_at, id limit ?";
    }
}
