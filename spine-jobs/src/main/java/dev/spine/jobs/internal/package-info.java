/**
 * The machinery behind {@link dev.spine.jobs.JobQueue}: the SQL ({@code Sql}, run only by
 * {@code PgJobStore}), fetch loops, the batched outcome writer, LISTEN/NOTIFY, housekeeping and cron.
 * Not an API: anything here may change without notice.
 */
package dev.spine.jobs.internal;
