-- spine-jobs schema, version 1. ${schema} is replaced by the configured, validated schema name.

create table ${schema}.queue (
    name       text primary key,
    paused     boolean not null default false,
    created_at timestamptz not null default now()
);
insert into ${schema}.queue (name) values ('realtime'), ('interactive'), ('background');

-- The hot table: only jobs waiting (state 0) or running (state 1). Finished jobs leave it, so it stays
-- small whatever the history; fetch reads the partial index below and nothing else.
create table ${schema}.job (
    id              uuid primary key,
    queue           text not null,
    type            text not null,
    state           smallint not null default 0,
    priority        smallint not null default 0,
    run_at          timestamptz not null,
    attempt         integer not null default 0,
    max_attempts    integer not null,
    backoff_ms      integer not null,
    backoff_max_ms  integer not null,
    timeout_ms      integer not null,
    payload         jsonb not null,
    idempotency_key text,
    correlation_id  text,
    traceparent     text,
    tracestate      text,
    created_at      timestamptz not null,
    started_at      timestamptz,
    worker_id       uuid,
    errors          jsonb
) with (
    -- every fetch and finish leaves a dead tuple: vacuum early and without throttling
    fillfactor = 85,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0,
    autovacuum_analyze_scale_factor = 0.02
);
create index job_fetch on ${schema}.job (queue, priority desc, run_at, id) where state = 0;
create index job_running on ${schema}.job (worker_id) where state = 1;
create index job_correlation on ${schema}.job (correlation_id) where correlation_id is not null;

-- Idempotency keys outlive their job (until expires_at): a duplicate enqueue returns the first job's id.
create table ${schema}.job_key (
    key        text primary key,
    job_id     uuid not null,
    expires_at timestamptz not null
);
create index job_key_expiry on ${schema}.job_key (expires_at);

-- Finished jobs (completed or cancelled), pruned after the archive retention.
create table ${schema}.job_archive (
    id             uuid not null,
    queue          text not null,
    type           text not null,
    state          text not null,
    priority       smallint not null,
    attempt        integer not null,
    max_attempts   integer not null,
    payload        jsonb not null,
    correlation_id text,
    traceparent    text,
    tracestate     text,
    created_at     timestamptz not null,
    finished_at    timestamptz not null,
    errors         jsonb
) with (autovacuum_vacuum_scale_factor = 0.05);
-- BRIN on the id too: ids are time-ordered (UUIDv7) and jobs finish roughly in creation order, so a lookup
-- reads a few block ranges, and finishing a job costs no B-tree insert for an index only operators use
create index job_archive_id on ${schema}.job_archive using brin (id);
-- BRIN: rows arrive in finish order, so a tiny range index serves pruning at almost no insert cost
create index job_archive_finished on ${schema}.job_archive using brin (finished_at);
create index job_archive_correlation on ${schema}.job_archive (correlation_id) where correlation_id is not null;

-- Jobs that used up their attempts, with every attempt's error; they can be redriven.
create table ${schema}.dead_job (
    id              uuid primary key,
    queue           text not null,
    type            text not null,
    priority        smallint not null,
    attempt         integer not null,
    max_attempts    integer not null,
    backoff_ms      integer not null,
    backoff_max_ms  integer not null,
    timeout_ms      integer not null,
    payload         jsonb not null,
    idempotency_key text,
    correlation_id  text,
    traceparent     text,
    tracestate      text,
    created_at      timestamptz not null,
    died_at         timestamptz not null,
    errors          jsonb not null
);
create index dead_job_died on ${schema}.dead_job (died_at);
create index dead_job_correlation on ${schema}.dead_job (correlation_id) where correlation_id is not null;

-- One row per live worker process; a process that stops heartbeating has its running jobs rescued.
create table ${schema}.worker (
    id           uuid primary key,
    host         text not null,
    started_at   timestamptz not null,
    heartbeat_at timestamptz not null
);

-- db-scheduler's table (cron schedules), in the same schema.
create table ${schema}.scheduled_tasks (
    task_name            text not null,
    task_instance        text not null,
    task_data            bytea,
    execution_time       timestamptz not null,
    picked               boolean not null,
    picked_by            text,
    last_success         timestamptz,
    last_failure         timestamptz,
    consecutive_failures integer,
    last_heartbeat       timestamptz,
    version              bigint not null,
    priority             smallint,
    primary key (task_name, task_instance)
);
create index scheduled_tasks_execution_time on ${schema}.scheduled_tasks (execution_time);
create index scheduled_tasks_last_heartbeat on ${schema}.scheduled_tasks (last_heartbeat);
create index scheduled_tasks_priority_execution_time on ${schema}.scheduled_tasks (priority desc, execution_time asc);
