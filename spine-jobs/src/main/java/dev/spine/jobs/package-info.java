/**
 * spine-jobs: a durable job queue on PostgreSQL, usable on its own (no NATS needed).
 *
 * <p>The entry point is {@link dev.spine.jobs.JobQueue}, built with {@link dev.spine.jobs.JobQueue#builder}.
 * Jobs are described by {@link dev.spine.jobs.JobRequest} and run by {@link dev.spine.jobs.JobHandler}s
 * registered per job type (or {@link dev.spine.jobs.TypedJobHandler}s per {@link dev.spine.jobs.JobType}, which binds
 * a type to its payload class and defaults); {@link dev.spine.jobs.CronSchedule} enqueues jobs on a cron. A process
 * claims only the job types it has handlers for; the worker registry ({@link dev.spine.jobs.WorkerInfo}) and
 * {@link dev.spine.jobs.UnservedType} tell who serves what, and what waits for a worker. Workers in other processes
 * and languages pull their job types through {@link dev.spine.jobs.PullWorkers} ({@code JobQueue.pullWorkers()}),
 * with the same retries, timeouts and dead letters. Bad input throws
 * {@link dev.spine.jobs.InvalidJobException} with a {@link dev.spine.jobs.JobErrorCode} and the field,
 * before anything is written. Everything under {@code dev.spine.jobs.internal} is private to the module.
 *
 * <p>Promises: at-least-once execution (handlers must be idempotent); one worker at a time per job;
 * priority then due time within a queue; idempotency keys yield one job while retained; failed jobs are
 * retried with backoff, then dead-lettered with each attempt's error.
 */
package dev.spine.jobs;
