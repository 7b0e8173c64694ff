/**
 * The machinery behind {@link dev.spine.jobs.JobQueue}: the SQL (the hot path's {@code Sql} and the
 * operators' {@code AdminSql}, each statement with its row shapes, run only behind {@code JobStore} by
 * {@code PgJobStore} and its {@code PgAdminStore}), fetch loops, the batched outcome writer, LISTEN/NOTIFY, housekeeping and cron.
 * Not an API: anything here may change without notice.
 */
package dev.spine.jobs.internal;
