package dev.spine.jobs.internal;

import dev.spine.jobs.Enqueued;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.jobs.JobStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The enqueue path: validates requests into jobs (a bad one rejects the batch before any write), inserts
 * them in one statement, resolves duplicate keys to the existing jobs' ids. Two named ways, never chosen by
 * the connection's state: {@link #enqueueAllCommitted} commits now on a connection of its own, then
 * dispatches due jobs to this process's idle workers and wakes the others; {@link #enqueueInTransaction}
 * joins the caller's transaction and leaves waking to its NOTIFY. Single enqueues share transactions
 * through the {@link EnqueueCombiner}.
 */
public final class Enqueuer {
    /**
     * Combined single-enqueue transactions in flight at once. One is fastest: while it commits, every other
     * caller joins the next batch, and PostgreSQL's cost is per statement and commit far more than per row
     * (16 threads on this 2-core machine: about 9k jobs/s with one, 6.5k with two, 5k with four).
     */
    static final int COMBINED_TRANSACTIONS = 1;

    private final DataSource dataSource;
    private final JobStore store;
    private final JobFactory factory;
    private final JobMetrics metrics;
    private final Wakeups wakeups;
    private final Clock clock;
    private final Duration keyRetention;
    private final boolean notifyInTransaction;
    private final EnqueueCombiner combiner;
    private final LocalDispatch dispatch;

    public Enqueuer(DataSource dataSource, JobStore store, JobFactory factory, JobMetrics metrics, Wakeups wakeups,
            Clock clock, Duration keyRetention, boolean notifyInTransaction, LocalDispatch dispatch) {
        this.dispatch = dispatch;
        this.dataSource = dataSource;
        this.store = store;
        this.factory = factory;
        this.metrics = metrics;
        this.wakeups = wakeups;
        this.clock = clock;
        this.keyRetention = keyRetention;
        this.notifyInTransaction = notifyInTransaction;
        this.combiner = new EnqueueCombiner(COMBINED_TRANSACTIONS, jobs -> ids(insertCommitted(jobs)));
    }

    /** One job, committed in a transaction shared with concurrent callers. */
    public UUID enqueueOne(JobFactory.Fields request) {
        return combiner.enqueue(prepare(List.of(request)).get(0));
    }

    /**
     * Inserts and commits now: a batch in one transaction of its own, committed when this returns; due jobs
     * go straight to this process's idle workers and the other workers are woken. Per request, its job's id
     * and whether this call created it.
     */
    public List<Enqueued> enqueueAllCommitted(List<JobFactory.Fields> requests) {
        return insertCommitted(prepare(requests));
    }

    /**
     * Joins the caller's transaction: the jobs commit or roll back with it, so none is dispatched locally
     * (it may still roll back) and workers are woken by one NOTIFY per queue in that transaction (delivered
     * at its commit) unless {@code notifyInTransaction} is off.
     *
     * @throws IllegalArgumentException if {@code connection} is in auto-commit mode: there is no transaction
     *     to join, and the commit-now path ({@link #enqueueAllCommitted}) is the one that dispatches and wakes
     */
    public List<Enqueued> enqueueInTransaction(Connection connection, List<JobFactory.Fields> requests)
            throws SQLException {
        if (connection.getAutoCommit()) {
            throw new IllegalArgumentException("connection: is in auto-commit mode, so there is no transaction to "
                    + "join; call setAutoCommit(false) first, or enqueue without a connection to commit at once");
        }
        List<NewJob> jobs = prepare(requests);
        Written written = insert(connection, jobs, null, clock.instant());
        if (notifyInTransaction) {
            for (String q : jobs.stream().map(NewJob::queue).distinct().toList()) {
                store.notify(connection, Notifier.payload(q, "tx"));
            }
        }
        return written.enqueued();
    }

    private List<NewJob> prepare(List<JobFactory.Fields> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, "jobs", "at least one job is required");
        }
        List<NewJob> jobs = new ArrayList<>(requests.size());
        boolean batch = requests.size() > 1;
        for (int i = 0; i < requests.size(); i++) {
            JobFactory.Fields r = requests.get(i);
            if (r == null) {
                throw new InvalidJobException(JobErrorCode.MISSING_FIELD, batch ? "jobs[" + i + "]" : "job", "is null");
            }
            jobs.add(factory.create(r, batch ? "jobs[" + i + "]." : ""));
        }
        return jobs;
    }

    private static List<UUID> ids(List<Enqueued> enqueued) {
        return enqueued.stream().map(Enqueued::id).toList();
    }

    private List<Enqueued> insertCommitted(List<NewJob> jobs) {
        Instant now = clock.instant();
        boolean[] claim = dispatch.reserve(jobs, now);
        boolean committed = false;
        try (Connection c = dataSource.getConnection()) {
            // auto-commit, set rather than assumed from the pool: the insert is its own commit in its one round
            // trip (a transaction would cost a COMMIT round trip more), and a duplicate key's lookup after it
            // reads the committed key; on a connection already in auto-commit this is a no-op
            c.setAutoCommit(true);
            Written written = insert(c, jobs, claim, now);
            committed = true;
            dispatch.dispatch(jobs, claim, written.claimed(), now);
            wakeups.committed(unclaimed(jobs, written.claimed()));
            return written.enqueued();
        } catch (SQLException e) {
            throw new JobStoreException("enqueue of " + jobs.size() + " jobs failed", e);
        } finally {
            if (!committed) {
                dispatch.release(jobs, claim);
            }
        }
    }

    private static List<NewJob> unclaimed(List<NewJob> jobs, Map<UUID, String> claimed) {
        return claimed.isEmpty() ? jobs : jobs.stream().filter(j -> !claimed.containsKey(j.id())).toList();
    }

    private Written insert(Connection c, List<NewJob> jobs, boolean[] claim, Instant now) throws SQLException {
        JobStore.Inserted inserted = store.insert(c, jobs, claim, dispatch.workerId(), now, now.plus(keyRetention));
        metrics.enqueued(inserted.ids().size());
        List<String> missing = new ArrayList<>();
        for (NewJob j : jobs) {
            if (!inserted.ids().contains(j.id())) {
                missing.add(j.idempotencyKey());
            }
        }
        Map<String, UUID> existing = missing.isEmpty() ? Map.of() : store.lookupKeys(c, missing);
        List<Enqueued> out = new ArrayList<>(jobs.size());
        for (NewJob j : jobs) {
            boolean created = inserted.ids().contains(j.id());
            out.add(new Enqueued(created ? j.id() : existing.get(j.idempotencyKey()), created));
        }
        return new Written(out, inserted.claimed());
    }

    /** The outcome of one insert: per request, and which of the new jobs were claimed for local dispatch. */
    private record Written(List<Enqueued> enqueued, Map<UUID, String> claimed) {}
}
