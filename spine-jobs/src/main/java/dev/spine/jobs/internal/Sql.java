package dev.spine.jobs.internal;

/**
 * Every statement spine-jobs runs, in one place, named after what it does. {@code {schema}} is replaced
 * once, at build time, by the configured schema name, which is checked against a strict identifier
 * pattern first; every value is a bind parameter.
 */
public final class Sql {
    // public for the wiring in JobQueue; the package is internal
    private static final String JOB_COLUMNS = "id, queue, type, priority, run_at, max_attempts, backoff_ms, "
            + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
            + "created_at";

    /** Columns read for a job to run, in the order {@code JobRows.readRunnable} expects. */
    private static final String RUNNABLE = "j.id, j.queue, j.type, j.payload::text, j.attempt, j.max_attempts, "
            + "j.priority, j.idempotency_key, j.correlation_id, j.traceparent, j.tracestate, "
            // as epoch microseconds: parsing timestamp text per row was a visible share of a fetch's cost
            + "(date_part('epoch', j.created_at) * 1000000)::int8, (date_part('epoch', j.run_at) * 1000000)::int8, "
            + "j.timeout_ms, j.backoff_ms, j.backoff_max_ms, j.ctid::text";

    public final String insertOne;
    public final String insertOneClaimed;
    public final String insertMany;
    public final String copyJobs;
    public final String lookupKeys;
    public final String fetchAvailable;
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
    public final String queueDepths;
    public final String listQueues;
    public final String createQueue;
    public final String setPaused;
    public final String cancelAvailable;
    public final String listDead;
    public final String redrive;
    public final String deleteDead;
    public final String findJob;
    public final String findJobArchived;
    public final String findDead;
    public final String findByCorrelation;
    public final String notify;
    public final String notifyMany;
    public final String listen;
    public final String channel;

    public Sql(String schema) {
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
                + String.format(claimedState, "?::text") + " as st) c returning state, ctid::text";
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
                + "returning id, state, ctid::text";
        copyJobs = "copy " + s + ".job (" + JOB_COLUMNS + ") from stdin";
        lookupKeys = "select key, job_id from " + s + ".job_key where key = any(?)";
        // The claim reaches its rows by ctid, from the locked subquery, instead of joining back on the primary
        // key: that join cost one B-tree descent per claimed row, about a fifth of PostgreSQL's work per drained
        // job. The rows are locked by this statement, so their ctids cannot change before the update reads them.
        fetchAvailable = "update " + s + ".job j set state = 1, attempt = j.attempt + 1, started_at = ?, "
                + "worker_id = ? where ctid = any(array(select ctid from " + s + ".job where queue = ? and state = 0 "
                + "and run_at <= ? and not coalesce((select paused from " + s + ".queue where name = ?), false) "
                + "order by priority desc, run_at, id limit ? for update skip locked)) returning " + RUNNABLE;
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
        heartbeat = "insert into " + s + ".worker (id, host, started_at, heartbeat_at) values (?, ?, ?, ?) "
                + "on conflict (id) do update set heartbeat_at = excluded.heartbeat_at";
        removeWorker = "delete from " + s + ".worker where id = ?";
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
                + "errors = coalesce(errors, '[]'::jsonb) || " + rescueError + " where " + stale + " returning id, queue";
        pruneWorkers = "delete from " + s + ".worker where heartbeat_at < ?";
        pruneArchive = "delete from " + s + ".job_archive where ctid = any(array(select ctid from " + s
                + ".job_archive where finished_at < ? limit ?))";
        pruneKeys = "delete from " + s + ".job_key where ctid = any(array(select ctid from " + s
                + ".job_key where expires_at < ? limit ?))";
        queueDepths = "select q.name, q.paused, "
                + "count(j.id) filter (where j.state = 0 and j.run_at <= ?) as available, "
                + "count(j.id) filter (where j.state = 0 and j.run_at > ?) as scheduled, "
                + "count(j.id) filter (where j.state = 1) as running, "
                + "(select count(*) from " + s + ".dead_job d where d.queue = q.name) as dead "
                + "from " + s + ".queue q left join " + s + ".job j on j.queue = q.name group by q.name, q.paused "
                + "order by q.name";
        listQueues = "select name from " + s + ".queue";
        createQueue = "insert into " + s + ".queue (name) values (?) on conflict (name) do nothing";
        setPaused = "update " + s + ".queue set paused = ? where name = ?";
        cancelAvailable = "with gone as (delete from " + s + ".job where id = ? and state = 0 returning *) "
                + "insert into " + s + ".job_archive (id, queue, type, state, priority, attempt, max_attempts, payload, "
                + "correlation_id, traceparent, tracestate, created_at, finished_at, errors) select id, queue, type, "
                + "'cancelled', priority, attempt, max_attempts, payload, correlation_id, traceparent, tracestate, "
                + "created_at, ?, errors from gone returning id";
        String deadColumns = "id, queue, type, priority, attempt, max_attempts, payload::text, idempotency_key, "
                + "correlation_id, traceparent, tracestate, created_at, died_at, errors::text";
        listDead = "select " + deadColumns + " from " + s + ".dead_job where (?::text is null or queue = ?) "
                + "and (?::text is null or type = ?) order by died_at desc, id limit ?";
        findDead = "select " + deadColumns + " from " + s + ".dead_job where id = ?";
        // Redrive: the dead job goes back to the hot table as new (attempt 0), keeping its error history.
        redrive = "with back as (delete from " + s + ".dead_job where id = ? returning *) "
                + "insert into " + s + ".job (id, queue, type, priority, run_at, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, errors) select id, queue, type, priority, ?, max_attempts, backoff_ms, "
                + "backoff_max_ms, timeout_ms, payload, idempotency_key, correlation_id, traceparent, tracestate, "
                + "created_at, errors from back returning queue";
        deleteDead = "delete from " + s + ".dead_job where id = ?";
        String infoColumns = "id, queue, type, %s as state, priority, attempt, max_attempts, payload::text, "
                + "correlation_id, traceparent, created_at, %s as finished_at, errors::text";
        findJob = "select " + String.format(infoColumns, "case state when 0 then 'available' else 'running' end",
                "null::timestamptz") + " from " + s + ".job where id = ?";
        findJobArchived = "select " + String.format(infoColumns, "state", "finished_at") + " from " + s
                + ".job_archive where id = ?";
        findByCorrelation = "select * from (select " + String.format(infoColumns,
                "case state when 0 then 'available' else 'running' end", "null::timestamptz") + " from " + s
                + ".job where correlation_id = ? union all select " + String.format(infoColumns, "state",
                "finished_at") + " from " + s + ".job_archive where correlation_id = ? union all select "
                + String.format(infoColumns, "'dead'", "died_at") + " from " + s
                + ".dead_job where correlation_id = ?) all_jobs order by created_at, id limit ?";
    }
}
