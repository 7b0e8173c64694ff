-- spine-jobs schema, version 5: cron schedules an operator can see, fire now, pause and resume.
--
-- Each process that runs schedules writes their definitions here when it starts (the job each tick makes,
-- resolved as the queue would insert it), so any process (the admin API, the CLI) lists them and fires one
-- now without the configuration that defined it. db-scheduler's scheduled_tasks keeps the next tick; a paused
-- schedule's ticks pass and enqueue nothing. last_fire / last_job_id: the latest tick or trigger that made a job.
create table ${schema}.schedule (
    name           text primary key,
    cron           text not null,
    zone           text not null,
    job_type       text not null,
    queue          text not null,
    priority       smallint not null,
    max_attempts   int not null,
    backoff_ms     int not null,
    backoff_max_ms int not null,
    timeout_ms     int not null,
    payload        json not null,
    paused         boolean not null default false,
    last_fire      timestamptz,
    last_job_id    uuid,
    defined_at     timestamptz not null
);
