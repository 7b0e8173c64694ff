package dev.spine.jobs.internal;

import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.QueueStats;
import dev.spine.jobs.WorkerInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The storage seam of spine-jobs: every read and write of job rows, the one interface the rest of the
 * module stores through (it deals in records). {@link PgJobStore} owns all of the SQL: the hot path's
 * statements ({@link Sql}) itself, the operators' ({@link AdminSql}) through its {@code PgAdminStore}.
 */
public interface JobStore {
    /**
     * Inserts jobs on the given connection (the caller's transaction or an auto-commit one); keyed rows whose
     * key is taken are skipped. Rows with {@code claim[i]} set (null: none) are inserted already claimed by
     * {@code workerId} unless their queue is paused. Returns the ids inserted and, of those, the claimed ones
     * with where their rows lie (ctid).
     */
    Inserted insert(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
            Instant keysExpireAt) throws SQLException;

    /** What an insert wrote: the ids inserted, and the rows (ctids) of those inserted already claimed. */
    record Inserted(Set<UUID> ids, Map<UUID, String> claimed) {}

    /** Existing job ids by idempotency key. */
    Map<String, UUID> lookupKeys(Connection c, Collection<String> keys) throws SQLException;

    /**
     * Claims up to {@code limit} due jobs of {@code queue} and of the given types for {@code workerId} (FOR UPDATE
     * SKIP LOCKED), in the queue's order. No types, no claim (and no round trip).
     */
    List<RunnableJob> fetch(String queue, FetchTypes types, int limit, Instant now, UUID workerId);

    /** The running job {@code id} if {@code workerId} holds its claim (a pull worker's complete or fail). */
    Optional<RunnableJob> heldBy(UUID id, UUID workerId);

    /** Whether worker {@code workerId} has a registry row that heartbeat after {@code liveSince}. */
    boolean isLive(UUID workerId, Instant liveSince);

    /** Writes finished attempts, one statement per kind of outcome. */
    void write(List<Outcome> outcomes, UUID workerId, Instant now, boolean archive);

    /** Writes this process's registry row (what it serves) with a fresh heartbeat. */
    void heartbeat(Registration worker, Instant now);

    /**
     * A worker process as the registry holds it: its queues with their handler threads (same order) and the
     * job types it has handlers for.
     */
    record Registration(UUID id, String host, Instant startedAt, List<String> queues, List<Integer> concurrency,
            List<String> types) {}

    /** Every registered worker; live ones heartbeat after {@code liveSince}. */
    List<WorkerInfo> workers(Instant liveSince);

    /**
     * The census: waiting jobs per (queue, type), each told whether a worker alive since {@code liveSince}
     * serves it.
     */
    List<WaitingType> waitingTypes(Instant liveSince);

    /** Jobs waiting (state available, due or not) of one type in one queue, and whether a live worker serves them. */
    record WaitingType(String queue, String type, long waiting, boolean served) {}

    void removeWorker(UUID workerId);

    /** Jobs of workers silent since {@code staleBefore}, or running past timeout + grace: retried, or buried
     *  when that was their last attempt. */
    Rescue rescue(Instant now, Instant staleBefore, long graceMillis);

    /** What a rescue did: the queue of each job given back, and how many went to the dead letters. */
    record Rescue(List<String> retriedQueues, int buried) {}

    /** Deletes old archive rows, expired keys and long-gone workers, in bounded chunks. Returns rows deleted. */
    long prune(Instant archiveBefore, Instant now, Instant workersBefore, int chunk);

    List<QueueStats> queueStats(Instant now);

    /** The hot table's dead and live rows as PostgreSQL's statistics count them (approximate, about a second late). */
    TableRows hotTableRows();

    record TableRows(long dead, long live) {}

    /** Vacuums the hot table, indexes included, unless another vacuum holds it or this role may not. */
    Vacuum vacuumHotTable();

    /** What {@link #vacuumHotTable} did; PostgreSQL only warns when it skips the table. */
    enum Vacuum { DONE, SKIPPED, NOT_PERMITTED }

    List<String> queues();

    void createQueue(String name);

    boolean setPaused(String queue, boolean paused);

    boolean cancel(UUID id, Instant now);

    List<DeadJob> listDead(String queue, String type, Instant diedBefore, UUID idBefore, int limit);

    Optional<DeadJob> findDead(UUID id);

    /** Moves a dead job back to the hot table as due now; returns its queue. */
    Optional<String> redrive(UUID id, Instant now);

    boolean deleteDead(UUID id);

    Optional<JobInfo> find(UUID id);

    List<JobInfo> findByCorrelation(String correlationId, Instant createdAfter, UUID idAfter, int limit);

    /** Sends NOTIFY on the given connection (in the caller's transaction, delivered at commit). */
    void notify(Connection c, String payload) throws SQLException;

    /** The LISTEN channel. */
    String channel();
}
