package dev.spine.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.Job;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The statements of the hot path, the ones the running queue issues by itself: enqueue, claim, complete,
 * retry, bury, snooze, hand back, heartbeat, rescue, prune, NOTIFY/LISTEN. What operators ask for (lists,
 * lookups, stats, redrive, pause) is in {@link AdminSql}. Each statement is named after what it does, and each
 * result row shape is an enum of its columns beside its statement, with its mapper (see {@link Column}).
 * {@code schema} is spliced in once, at build time, after it was checked against a strict identifier
 * pattern; every value is a bind parameter.
 */
public final class Sql {
    private static final String JOB_COLUMNS = "id, queue, type, priority, run_at, max_attempts, backoff_ms, "
            + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
            + "created_at";

    /** A claimed job, as {@link #fetchAvailable} returns it; {@link #read} makes it a {@link RunnableJob}. */
    public enum ClaimedRow implements Column {
        ID("j.id"), QUEUE("j.queue"), TYPE("j.type"), PAYLOAD("j.payload::text"), ATTEMPT("j.attempt"),
        MAX_ATTEMPTS("j.max_attempts"), PRIORITY("j.priority"), IDEMPOTENCY_KEY("j.idempotency_key"),
        CORRELATION_ID("j.correlation_id"), TRACEPARENT("j.traceparent"), TRACESTATE("j.tracestate"),
        // as epoch microseconds: parsing timestamp text per row was a visible share of a fetch's cost
        CREATED_AT_US("(date_part('epoch', j.created_at) * 1000000)::int8"),
        RUN_AT_US("(date_part('epoch', j.run_at) * 1000000)::int8"),
        TIMEOUT_MS("j.timeout_ms"), BACKOFF_MS("j.backoff_ms"), BACKOFF_MAX_MS("j.backoff_max_ms"),
        /** Where the row lies: completion deletes by it (see {@link #completeRows}). */
        ROW("j.ctid::text");

        private final String sql;
        final int at;

        ClaimedRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static RunnableJob read(ResultSet rs, ObjectMapper mapper) throws SQLException {
            Job job = new Job(rs.getObject(ID.at, UUID.class), rs.getString(QUEUE.at), rs.getString(TYPE.at),
                    rs.getString(PAYLOAD.at), rs.getInt(ATTEMPT.at), rs.getInt(MAX_ATTEMPTS.at),
                    rs.getInt(PRIORITY.at), rs.getString(IDEMPOTENCY_KEY.at), rs.getString(CORRELATION_ID.at),
                    rs.getString(TRACEPARENT.at), rs.getString(TRACESTATE.at),
                    PgTypes.fromMicros(rs.getLong(CREATED_AT_US.at)), PgTypes.fromMicros(rs.getLong(RUN_AT_US.at)),
                    mapper);
            return new RunnableJob(job, rs.getString(ROW.at), rs.getInt(TIMEOUT_MS.at), rs.getInt(BACKOFF_MS.at),
                    rs.getInt(BACKOFF_MAX_MS.at));
        }
    }

    /**
     * A row {@link #insertMany} or {@link #insertOneClaimed} wrote: its id, state 1 when the insert claimed it
     * for this process's worker, and where it lies.
     */
    public enum InsertedRow implements Column {
        ID("id"), STATE("state"), ROW("ctid::text");

        private final String sql;
        final int at;

        InsertedRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        /** The row's ctid if the insert claimed it, else null. */
        static String claimedRow(ResultSet rs) throws SQLException {
            return rs.getInt(STATE.at) == 1 ? rs.getString(ROW.at) : null;
        }
    }

    /** An idempotency key and the job it names, as {@link #lookupKeys} returns them. */
    public enum KeyRow implements Column {
        KEY("key"), JOB_ID("job_id");

        private final String sql;
        final int at;

        KeyRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }
    }

    /** A job {@link #rescueRetry} gave back to its queue. */
    public enum RescuedRow implements Column {
        ID("id"), QUEUE("queue");

        private final String sql;
        final int at;

        RescuedRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }
    }

    /**
     * Waiting jobs of one (queue, type), as {@link #waitingTypes} returns them; {@code %1$s} is the schema.
     * Served: a worker that heartbeat after the bound parameter works the queue and has the type's handler.
     */
    public enum WaitingRow implements Column {
        QUEUE("c.queue"), TYPE("c.type"), WAITING("c.waiting"),
        SERVED("exists (select 1 from %1$s.worker w where w.heartbeat_at > ? and c.queue = any(w.queues) "
                + "and c.type = any(w.types))");

        private final String sql;
        final int at;

        WaitingRow(String sql) {
            this.sql = sql;
            this.at = ordinal() + 1;
        }

        @Override
        public String sql() {
            return sql;
        }

        static JobStore.WaitingType read(ResultSet rs) throws SQLException {
            return new JobStore.WaitingType(rs.getString(QUEUE.at), rs.getString(TYPE.at), rs.getLong(WAITING.at),
                    rs.getBoolean(SERVED.at));
        }
    }

    public final String insertOne;
    public final String insertOneClaimed;
    public final String insertMany;
    public final String copyJobs;
    public final String lookupKeys;
    public final String fetchAvailable;
    public final String fetchAvailableByType;
    public final String waitingTypes;
    public final String heldBy;
    public final String workerLive;
    public final String completeMany;
    public final String completeManyArchived;
    public final String completeRows;
    public final String completeRowsArchived;
    public final String retryMany;
    public final String buryMany;
    public final String handBackMany;
    public final String snoozeMany;
    public final String heartbeat;
    public final String removeWorker;
    public final String rescueDead;
    public final String rescueRetry;
    public final String pruneWorkers;
    public final String pruneArchive;
    public final String pruneKeys;
    public final String hotTableRows;
    public final String vacuumHotTable;
    public final String notify;
    public final String notifyMany;
    public final String listen;
    public final String channel;

    private final String schema;

    /** The schema the statements are written for. */
    public String schema() {
        return schema;
    }

    public Sql(String schema) {
        this.schema = schema;
        String s = schema;
        channel = s + "_jobs";
        notify = "select pg_notify(?, ?)";
        notifyMany = "select pg_notify(?, p) from unnest(?::text[]) p";
        listen = "listen " + channel;
        insertOne = "insert into " + s + ".job (" + JOB_COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, "
                + "?, ?, ?, ?)";
        // A row this process's idle worker can take at once is inserted already claimed (state 1, attempt 1,
        // this worker), unless its queue is paused: the job then needs no fetch at all (see LocalDispatch).
        String claimedState = "case when coalesce((select paused from " + s + ".queue q where q.name = %s), false) "
                + "then 0 else 1 end::int2";
        String claimColumns = ", state, attempt, worker_id, started_at";
        String claimValues = ", st, st, case when st = 1 then ?::uuid end, case when st = 1 then ?::timestamptz end";
        insertOneClaimed = "insert into " + s + ".job (" + JOB_COLUMNS + claimColumns + ") select ?::uuid, ?::text, "
                + "?::text, ?::int2, ?::timestamptz, ?::int4, ?::int4, ?::int4, ?::int4, ?::json, ?::text, ?::text, "
                + "?::text, ?::text, ?::timestamptz" + claimValues + " from (select "
                + String.format(claimedState, "?::text") + " as st) c returning "
                + Column.list(InsertedRow.values());
        // One statement per batch: keys are claimed first (insert-if-absent), and only rows without a key or
        // whose key this statement claimed are inserted; a duplicate inserts nothing.
        insertMany = "with input as (select * from unnest(?::uuid[], ?::text[], ?::text[], ?::int2[], ?::int8[], "
                + "?::int4[], ?::int4[], ?::int4[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], "
                + "?::bool[]) as t(id, queue, type, priority, run_at_us, max_attempts, backoff_ms, backoff_max_ms, "
                + "timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, claim)), "
                + "claimed as (insert into " + s + ".job_key (key, job_id, expires_at) "
                + "select idempotency_key, id, ? from input where idempotency_key is not null "
                + "on conflict (key) do nothing returning job_id) "
                + "insert into " + s + ".job (" + JOB_COLUMNS + claimColumns + ") "
                + "select id, queue, type, priority, timestamptz 'epoch' + run_at_us * interval '1 microsecond', "
                + "max_attempts, backoff_ms, backoff_max_ms, timeout_ms, payload::json, idempotency_key, "
                + "correlation_id, traceparent, tracestate, ?" + claimValues + " from (select input.*, "
                + "case when claim then " + String.format(claimedState, "input.queue") + " else 0::int2 end as st "
                + "from input where idempotency_key is null or id in (select job_id from claimed)) i "
                + "returning " + Column.list(InsertedRow.values());
        copyJobs = "copy " + s + ".job (" + JOB_COLUMNS + ") from stdin";
        lookupKeys = "select " + Column.list(KeyRow.values()) + " from " + s + ".job_key where key = any(?)";
        // The claim reaches its rows by ctid, from the locked subquery, instead of joining back on the primary
        // key: that join cost one B-tree descent per claimed row, about a fifth of PostgreSQL's work per drained
        // job. The rows are locked by this statement, so their ctids cannot change before the update reads them.
        String claim = "update " + s + ".job j set state = 1, attempt = j.attempt + 1, started_at = ?, "
                + "worker_id = ? where ctid = any(array(%s)) returning " + Column.list(ClaimedRow.values());
        String notPaused = "not coalesce((select paused from " + s + ".queue where name = ?), false)";
        // When every type waiting in the queue is one this process serves: today's ordered scan of job_fetch.
        // The type test only guards against a type that arrived since the census (see FetchTypes); it is written
        // as array_position(...) is not null because the planner estimates that as true for nearly every row
        // (which it is, here). Written as type = any(?), a type missing from the statistics (a new type, a table
        // not analyzed yet) made the planner expect few matches and sort the whole queue instead.
        fetchAvailable = String.format(claim, "select ctid from " + s + ".job where queue = ? and state = 0 "
                + "and run_at <= ? and array_position(?::text[], type) is not null and " + notPaused
                + " order by priority desc, run_at, id limit ? for update skip locked");
        // Otherwise per type, through job_fetch_type: each of this process's types gives its first rows in
        // order, locked (SKIP LOCKED), and the batch is the first of those in the queue's order. Jobs of types
        // served elsewhere are never read, however many wait ahead. Each type locks up to a batch, so with
        // several of this process's types backlogged at once some locks go unused until the commit.
        fetchAvailableByType = String.format(claim, "select c.ctid from unnest(?::text[]) as t(type) cross join "
                + "lateral (select ctid, priority, run_at, id from " + s + ".job where queue = ? and type = t.type "
                + "and state = 0 and run_at <= ? order by priority desc, run_at, id limit ? for update skip locked) c "
                + "where " + notPaused + " order by c.priority desc, c.run_at, c.id limit ?");
        // A pull worker's complete or fail: the job as its claim returned it, only while that worker holds it.
        heldBy = "select " + Column.list(ClaimedRow.values()) + " from " + s + ".job j where j.id = ? and j.state = 1 "
                + "and j.worker_id = ?";
        completeMany = "delete from " + s + ".job where id = any(?) and worker_id = ?";
        String archiveDone = " insert into " + s + ".job_archive (id, queue, type, state, priority, attempt, "
                + "max_attempts, payload, correlation_id, traceparent, tracestate, created_at, finished_at, errors) "
                + "select id, queue, type, 'completed', priority, attempt, max_attempts, payload, correlation_id, "
                + "traceparent, tracestate, created_at, ?, errors from done";
        completeManyArchived = "with done as (" + completeMany + " returning *)" + archiveDone;
        // By where the rows lay when claimed (ctid): no primary-key descent per job. A row that moved since
        // (an operator's VACUUM FULL or CLUSTER) is not found and is completed by id after; a ctid now holding
        // another row matches nothing, as that row's id is not among this batch's.
        completeRows = "delete from " + s + ".job where ctid = any(?::tid[]) and id = any(?) and worker_id = ?";
        completeRowsArchived = "with done as (" + completeRows + " returning *)" + archiveDone;
        retryMany = "update " + s + ".job j set state = 0, worker_id = null, started_at = null, "
                + "run_at = timestamptz 'epoch' + u.run_at_us * interval '1 microsecond', "
                + "errors = coalesce(j.errors, '[]'::jsonb) || jsonb_build_array(u.error::jsonb) "
                + "from unnest(?::uuid[], ?::int8[], ?::text[]) as u(id, run_at_us, error) "
                + "where j.id = u.id and j.worker_id = ?";
        buryMany = "with gone as (delete from " + s + ".job j using unnest(?::uuid[], ?::text[]) as u(id, error) "
                + "where j.id = u.id and j.worker_id = ? returning j.*, u.error as last_error) "
                + "insert into " + s + ".dead_job (id, queue, type, priority, attempt, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, died_at, errors) select id, queue, type, priority, attempt, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, ?, coalesce(errors, '[]'::jsonb) || jsonb_build_array(last_error::jsonb) from gone";
        handBackMany = "update " + s + ".job set state = 0, attempt = attempt - 1, worker_id = null, "
                + "started_at = null where id = any(?) and worker_id = ?";
        snoozeMany = "update " + s + ".job j set state = 0, attempt = j.attempt - 1, worker_id = null, "
                + "started_at = null, run_at = timestamptz 'epoch' + u.run_at_us * interval '1 microsecond' "
                + "from unnest(?::uuid[], ?::int8[]) as u(id, run_at_us) where j.id = u.id and j.worker_id = ?";
        heartbeat = "insert into " + s + ".worker (id, host, started_at, heartbeat_at, queues, concurrency, types) "
                + "values (?, ?, ?, ?, ?, ?, ?) on conflict (id) do update set heartbeat_at = excluded.heartbeat_at, "
                + "queues = excluded.queues, concurrency = excluded.concurrency, types = excluded.types";
        removeWorker = "delete from " + s + ".worker where id = ?";
        workerLive = "select exists (select 1 from " + s + ".worker where id = ? and heartbeat_at > ?)";
        String stale = "state = 1 and (worker_id is null or worker_id not in (select id from " + s
                + ".worker where heartbeat_at > ?) or started_at + (timeout_ms + ?) * interval '1 millisecond' < ?)";
        String rescueError = "jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', ?::text, 'error', "
                + "'rescued: worker ' || coalesce(worker_id::text, 'none') || ' stopped heartbeating or overran the "
                + "job timeout'))";
        // A job claimed by its insert (direct dispatch: started_at = created_at, set from one instant) may have
        // waited in its worker's memory and never started: a crash gives its attempt back instead of burning it.
        // Once fetched (started_at later), a claim counts, so a job that kills its worker still ends up dead.
        String counted = "(attempt - (started_at = created_at)::int)";
        rescueDead = "with gone as (delete from " + s + ".job where " + stale + " and " + counted + " >= max_attempts "
                + "returning *) insert into " + s + ".dead_job (id, queue, type, priority, attempt, max_attempts, "
                + "backoff_ms, backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, "
                + "tracestate, created_at, died_at, errors) select id, queue, type, priority, attempt, max_attempts, "
                + "backoff_ms, backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, "
                + "tracestate, created_at, ?, coalesce(errors, '[]'::jsonb) || " + rescueError + " from gone "
                + "returning id";
        rescueRetry = "update " + s + ".job set state = 0, worker_id = null, started_at = null, attempt = " + counted
                + ", run_at = ?, "
                + "errors = coalesce(errors, '[]'::jsonb) || " + rescueError + " where " + stale + " returning "
                + Column.list(RescuedRow.values());
        pruneWorkers = "delete from " + s + ".worker where heartbeat_at < ?";
        pruneArchive = "delete from " + s + ".job_archive where ctid = any(array(select ctid from " + s
                + ".job_archive where finished_at < ? limit ?))";
        pruneKeys = "delete from " + s + ".job_key where ctid = any(array(select ctid from " + s
                + ".job_key where expires_at < ? limit ?))";
        // The statistics' count of the hot table's rows (no table read): whether it needs a vacuum
        // (the statistics functions of the one table: pg_stat_user_tables would read pg_class and the statistics of
        // every table of the database)
        hotTableRows = "select pg_stat_get_dead_tuples(c.oid), pg_stat_get_live_tuples(c.oid) from pg_class c "
                + "where c.oid = to_regclass(?)";
        // index_cleanup on: with few dead rows per page VACUUM would otherwise skip the indexes, and the claim's
        // index is where dead rows cost (its scan walks their entries); skip_locked: autovacuum or another
        // process is at it already
        vacuumHotTable = "vacuum (index_cleanup on, skip_locked) " + s + ".job";
        // The census: waiting jobs per (queue, type), and whether a live worker serves that pair. One pass
        // over the waiting rows per stats interval, like the queue depths.
        waitingTypes = "select " + String.format(Column.list(WaitingRow.values()), s) + " from (select queue, type, "
                + "count(*) as waiting from " + s + ".job where state = 0 group by queue, type) c order by c.queue, c.type";
    }
}
