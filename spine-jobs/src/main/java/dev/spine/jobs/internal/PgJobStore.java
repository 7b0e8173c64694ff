package dev.spine.jobs.internal;

import static dev.spine.jobs.internal.PgTypes.at;
import static dev.spine.jobs.internal.PgTypes.micros;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.JobStoreException;
import dev.spine.jobs.QueueStats;
import dev.spine.jobs.WorkerInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The PostgreSQL {@link JobStore}: runs the hot path's statements ({@link Sql}: claim, outcomes, heartbeat,
 * rescue, prune, NOTIFY) here, the enqueue's through {@link PgJobInserts}, and hands what operators ask for
 * ({@link AdminSql}) to {@link PgAdminStore}; always with bind parameters.
 */
public final class PgJobStore implements JobStore {
    private final DataSource dataSource;
    private final Sql sql;
    private final ObjectMapper mapper;
    private final PgCalls calls;
    private final PgJobInserts inserts;
    private final PgAdminStore admin;

    public PgJobStore(DataSource dataSource, Sql sql, AdminSql adminSql, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.mapper = mapper;
        this.calls = new PgCalls(dataSource);
        this.inserts = new PgJobInserts(sql);
        this.admin = new PgAdminStore(dataSource, adminSql);
    }

    @Override
    public Inserted insert(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
            Instant keysExpireAt) throws SQLException {
        return inserts.insert(c, jobs, claim, workerId, now, keysExpireAt);
    }

    @Override
    public Map<String, UUID> lookupKeys(Connection c, Collection<String> keys) throws SQLException {
        return inserts.lookupKeys(c, keys);
    }

    @Override
    public List<RunnableJob> fetch(String queue, FetchTypes types, int limit, Instant now, UUID workerId) {
        if (types.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = PgCalls.plannedEachTime(c,
                        types.coverQueue() ? sql.fetchAvailable : sql.fetchAvailableByType)) {
            // Java arrays through setObject go in PostgreSQL's binary array format (see PgJobInserts)
            if (types.coverQueue()) {
                PgCalls.bind(ps, at(now), workerId, queue, at(now), types.names(), queue, limit);
            } else {
                PgCalls.bind(ps, at(now), workerId, types.names(), queue, at(now), limit, queue, limit);
            }
            List<RunnableJob> jobs = new ArrayList<>(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(Sql.ClaimedRow.read(rs, mapper));
                }
            }
            // the update returns its rows in physical order: restore priority, then due time
            jobs.sort((a, b) -> a.job().priority() != b.job().priority()
                    ? Integer.compare(b.job().priority(), a.job().priority())
                    : a.job().runAt().compareTo(b.job().runAt()));
            return jobs;
        } catch (SQLException e) {
            throw new JobStoreException("fetch from queue " + queue + " failed", e);
        }
    }

    @Override
    public Optional<RunnableJob> heldBy(UUID id, UUID workerId) {
        return calls.query(sql.heldBy, rs -> Sql.ClaimedRow.read(rs, mapper), id, workerId).stream().findFirst();
    }

    @Override
    public boolean isLive(UUID workerId, Instant liveSince) {
        return calls.query(sql.workerLive, rs -> rs.getBoolean(1), workerId, at(liveSince)).get(0);
    }

    @Override
    public void write(List<Outcome> outcomes, UUID workerId, Instant now, boolean archive) {
        List<UUID> completed = new ArrayList<>();
        List<UUID> completedAt = new ArrayList<>();
        StringBuilder rows = new StringBuilder("{");
        List<Outcome.Retry> retries = new ArrayList<>();
        List<Outcome.Dead> dead = new ArrayList<>();
        List<UUID> handedBack = new ArrayList<>();
        List<Outcome.Snoozed> snoozed = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o instanceof Outcome.Completed done) {
                if (done.row() == null) {
                    completed.add(done.id());
                } else {
                    completedAt.add(done.id());
                    rows.append(rows.length() == 1 ? "\"" : ",\"").append(done.row()).append('"');
                }
            } else if (o instanceof Outcome.Retry r) {
                retries.add(r);
            } else if (o instanceof Outcome.Dead d) {
                dead.add(d);
            } else if (o instanceof Outcome.Snoozed z) {
                snoozed.add(z);
            } else {
                handedBack.add(o.id());
            }
        }
        try (Connection c = dataSource.getConnection()) {
            if (!completedAt.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, archive ? sql.completeRowsArchived : sql.completeRows)) {
                    ps.setString(1, rows.append('}').toString());
                    ps.setArray(2, c.createArrayOf("uuid", completedAt.toArray()));
                    ps.setObject(3, workerId);
                    if (archive) {
                        ps.setObject(4, at(now));
                    }
                    if (ps.executeUpdate() < completedAt.size()) {
                        completed.addAll(completedAt); // some rows moved: by id (those done already match nothing)
                    }
                }
            }
            if (!completed.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, archive ? sql.completeManyArchived : sql.completeMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", completed.toArray()));
                    ps.setObject(2, workerId);
                    if (archive) {
                        ps.setObject(3, at(now));
                    }
                    ps.executeUpdate();
                }
            }
            if (!retries.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, sql.retryMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", retries.stream().map(Outcome.Retry::id).toArray()));
                    ps.setArray(2, c.createArrayOf("int8", retries.stream().map(r -> micros(r.runAt())).toArray()));
                    ps.setArray(3, c.createArrayOf("text", retries.stream().map(Outcome.Retry::errorJson).toArray()));
                    ps.setObject(4, workerId);
                    ps.executeUpdate();
                }
            }
            if (!dead.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, sql.buryMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", dead.stream().map(Outcome.Dead::id).toArray()));
                    ps.setArray(2, c.createArrayOf("text", dead.stream().map(Outcome.Dead::errorJson).toArray()));
                    ps.setObject(3, workerId);
                    ps.setObject(4, at(now));
                    ps.executeUpdate();
                }
            }
            if (!snoozed.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, sql.snoozeMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", snoozed.stream().map(Outcome.Snoozed::id).toArray()));
                    ps.setArray(2, c.createArrayOf("int8", snoozed.stream().map(z -> micros(z.runAt())).toArray()));
                    ps.setObject(3, workerId);
                    ps.executeUpdate();
                }
            }
            if (!handedBack.isEmpty()) {
                try (PreparedStatement ps = PgCalls.plannedEachTime(c, sql.handBackMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", handedBack.toArray()));
                    ps.setObject(2, workerId);
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new JobStoreException("writing " + outcomes.size() + " job outcomes failed", e);
        }
    }

    @Override
    public void heartbeat(Registration w, Instant now) {
        calls.update(sql.heartbeat, w.id(), w.host(), at(w.startedAt()), at(now), w.queues().toArray(String[]::new),
                w.concurrency().stream().mapToInt(Integer::intValue).toArray(), w.types().toArray(String[]::new));
    }

    @Override
    public List<WorkerInfo> workers(Instant liveSince) {
        return admin.workers(liveSince);
    }

    @Override
    public List<WaitingType> waitingTypes(Instant liveSince) {
        return calls.query(sql.waitingTypes, Sql.WaitingRow::read, at(liveSince));
    }

    @Override
    public void removeWorker(UUID workerId) {
        calls.update(sql.removeWorker, workerId);
    }

    @Override
    public Rescue rescue(Instant now, Instant staleBefore, long graceMillis) {
        List<String> queues = new ArrayList<>();
        int buried = 0;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(sql.rescueDead)) {
                PgCalls.bind(ps, at(staleBefore), graceMillis, at(now), at(now), now.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        buried++;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.rescueRetry)) {
                PgCalls.bind(ps, at(now), now.toString(), at(staleBefore), graceMillis, at(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        queues.add(rs.getString(Sql.RescuedRow.QUEUE.at));
                    }
                }
            }
            return new Rescue(queues, buried);
        } catch (SQLException e) {
            throw new JobStoreException("rescuing stalled jobs failed", e);
        }
    }

    @Override
    public long prune(Instant archiveBefore, Instant now, Instant workersBefore, int chunk) {
        return calls.update(sql.pruneArchive, at(archiveBefore), chunk) + calls.update(sql.pruneKeys, at(now), chunk)
                + calls.update(sql.pruneWorkers, at(workersBefore));
    }

    // what operators ask for: apart, in PgAdminStore

    @Override
    public List<QueueStats> queueStats(Instant now) {
        return admin.queueStats(now);
    }

    @Override
    public TableRows hotTableRows() {
        List<TableRows> rows = calls.query(sql.hotTableRows, rs -> new TableRows(rs.getLong(1), rs.getLong(2)),
                sql.schema() + ".job");
        return rows.isEmpty() ? new TableRows(0, 0) : rows.get(0);
    }

    @Override
    public Vacuum vacuumHotTable() {
        try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(true); // VACUUM cannot run inside a transaction block
            try {
                st.execute(sql.vacuumHotTable);
                for (java.sql.SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                    // PostgreSQL 15 "skipping "job" --- only table or database owner can vacuum it", 16+ "permission
                    // denied to vacuum "job", skipping it"; SKIP_LOCKED: "skipping vacuum of "job" --- lock not
                    // available" (another vacuum is at it)
                    String m = String.valueOf(w.getMessage());
                    if ("42501".equals(w.getSQLState()) || m.contains("owner") || m.contains("permission denied")) {
                        return Vacuum.NOT_PERMITTED;
                    }
                    if (m.contains("lock not available")) {
                        return Vacuum.SKIPPED;
                    }
                }
                return Vacuum.DONE;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobStoreException("vacuum of the hot table failed", e);
        }
    }

    @Override
    public List<String> queues() {
        return admin.queues();
    }

    @Override
    public void createQueue(String name) {
        admin.createQueue(name);
    }

    @Override
    public boolean setPaused(String queue, boolean paused) {
        return admin.setPaused(queue, paused);
    }

    @Override
    public boolean cancel(UUID id, Instant now) {
        return admin.cancel(id, now);
    }

    @Override
    public List<DeadJob> listDead(String queue, String type, Instant diedBefore, UUID idBefore, int limit) {
        return admin.listDead(queue, type, diedBefore, idBefore, limit);
    }

    @Override
    public Optional<DeadJob> findDead(UUID id) {
        return admin.findDead(id);
    }

    @Override
    public Optional<String> redrive(UUID id, Instant now) {
        return admin.redrive(id, now);
    }

    @Override
    public boolean deleteDead(UUID id) {
        return admin.deleteDead(id);
    }

    @Override
    public Optional<JobInfo> find(UUID id) {
        return admin.find(id);
    }

    @Override
    public List<JobInfo> findByCorrelation(String correlationId, Instant createdAfter, UUID idAfter, int limit) {
        return admin.findByCorrelation(correlationId, createdAfter, idAfter, limit);
    }

    @Override
    public void notify(Connection c, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.notify)) {
            ps.setString(1, sql.channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    @Override
    public String channel() {
        return sql.channel;
    }
}
