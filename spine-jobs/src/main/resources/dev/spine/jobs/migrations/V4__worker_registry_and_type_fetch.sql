-- spine-jobs schema, version 4: claims are type-aware, and workers say what they serve.
--
-- A worker claims only the job types it has handlers for. While every type waiting in a queue is one it
-- serves, it claims through job_fetch as before (one ordered scan, no extra cost); otherwise it claims per
-- type through this index, so jobs of types nobody here serves are never read, however many wait ahead of
-- the ones it can run. Partial on state = 0 like job_fetch: a claimed or directly dispatched row (state 1)
-- is in neither, so only rows inserted waiting pay for it.
create index job_fetch_type on ${schema}.job (queue, type, priority desc, run_at, id) where state = 0;

-- The worker registry: each process's queues (with its handler threads per queue, same order) and the job
-- types it has handlers for, rewritten at every heartbeat. A waiting job whose (queue, type) no live
-- worker serves is "unserved": it waits, using no attempt, until a process that serves it starts.
alter table ${schema}.worker
    add column queues      text[] not null default '{}',
    add column concurrency int[]  not null default '{}',
    add column types       text[] not null default '{}';
