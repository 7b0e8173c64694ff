package dev.spine.jobs.internal;

import static dev.spine.jobs.internal.PgTypes.at;
import static dev.spine.jobs.internal.PgTypes.micros;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.JobStoreException;
import dev.spine.jobs.QueueStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGStatement;

/**
 * The PostgreSQL {@link JobStore}: runs the hot path's statements ({@link Sql}: enqueue, claim, outcomes,
 * heartbeat, rescue, prune, NOTIFY) here, and hands what operators ask for ({@link AdminSql}) to
 * {@link PgAdminStore}; always with bind parameters.
 */
public final class PgJobStore implements JobStore {
    /** Below this size a keyless batch is inserted with one unnest() statement, above it with COPY. */
    static final int COPY_THRESHOLD = 200;

    private final DataSource dataSource;
    private final Sql sql;
    private final ObjectMapper mapper;
    private final PgCalls calls;
    private final PgAdminStore admin;

    public PgJobStore(DataSource dataSource, Sql sql, AdminSql adminSql, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.mapper = mapper;
        this.calls = new PgCalls(dataSource);
        this.admin = new PgAdminStore(dataSource, adminSql);
    }

    @Override
    public Inserted insert(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
            Instant keysExpireAt) throws SQLException {
        boolean anyClaim = false;
        for (int i = 0; claim != null && i < claim.length && !anyClaim; i++) {
            anyClaim = claim[i];
        }
        if (jobs.size() == 1 && jobs.get(0).idempotencyKey() == null) {
            NewJob j = jobs.get(0);
            Set<UUID> id = Set.of(j.id());
            String row = insertOne(c, j, now, anyClaim ? workerId : null);
            return new Inserted(id, row == null ? Map.of() : Map.of(j.id(), row));
        }
        boolean anyKey = jobs.stream().anyMatch(j -> j.idempotencyKey() != null);
        if (!anyKey && !anyClaim && jobs.size() >= COPY_THRESHOLD) {
            JobCopy.copy(c, sql.copyJobs, jobs, now);
            Set<UUID> ids = new HashSet<>(jobs.size() * 2);
            jobs.forEach(j -> ids.add(j.id()));
            return new Inserted(ids, Map.of());
        }
        return insertMany(c, jobs, claim, workerId, now, keysExpireAt);
    }

    /**
     * One keyless job; with a worker id it is inserted claimed (unless its queue is paused): returns the claimed
     * row's ctid, or null when not claimed.
     */
    private String insertOne(Connection c, NewJob j, Instant now, UUID claimFor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(claimFor == null ? sql.insertOne : sql.insertOneClaimed)) {
            ps.setObject(1, j.id());
            ps.setString(2, j.queue());
            ps.setString(3, j.type());
            ps.setShort(4, j.priority());
            ps.setObject(5, at(j.runAt()));
            ps.setInt(6, j.maxAttempts());
            ps.setInt(7, j.backoffMillis());
            ps.setInt(8, j.backoffMaxMillis());
            ps.setInt(9, j.timeoutMillis());
            ps.setString(10, j.payloadJson());
            ps.setString(11, j.idempotencyKey());
            ps.setString(12, j.correlationId());
            ps.setString(13, j.traceparent());
            ps.setString(14, j.tracestate());
            ps.setObject(15, at(now));
            if (claimFor == null) {
                ps.executeUpdate();
                return null;
            }
            ps.setObject(16, claimFor);
            ps.setObject(17, at(now));
            ps.setString(18, j.queue());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Sql.InsertedRow.claimedRow(rs) : null;
            }
        }
    }

    private Inserted insertMany(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
            Instant keysExpireAt) throws SQLException {
        int n = jobs.size();
        UUID[] ids = new UUID[n];
        String[] queues = new String[n];
        String[] types = new String[n];
        short[] priorities = new short[n];
        long[] runAts = new long[n];
        int[] maxAttempts = new int[n];
        int[] backoffs = new int[n];
        int[] backoffMaxes = new int[n];
        int[] timeouts = new int[n];
        String[] payloads = new String[n];
        String[] keys = new String[n];
        String[] correlations = new String[n];
        String[] traceparents = new String[n];
        String[] tracestates = new String[n];
        boolean[] claims = new boolean[n];
        for (int i = 0; i < n; i++) {
            NewJob j = jobs.get(i);
            ids[i] = j.id();
            queues[i] = j.queue();
            types[i] = j.type();
            priorities[i] = j.priority();
            runAts[i] = micros(j.runAt());
            maxAttempts[i] = j.maxAttempts();
            backoffs[i] = j.backoffMillis();
            backoffMaxes[i] = j.backoffMaxMillis();
            timeouts[i] = j.timeoutMillis();
            payloads[i] = j.payloadJson();
            keys[i] = j.idempotencyKey();
            correlations[i] = j.correlationId();
            traceparents[i] = j.traceparent();
            tracestates[i] = j.tracestate();
            claims[i] = claim != null && claim[i];
        }
        try (PreparedStatement ps = c.prepareStatement(sql.insertMany)) {
            // Java arrays through setObject go in PostgreSQL's binary array format (strings, numbers, booleans):
            // createArrayOf's text form made the server parse and unescape every element (array_in was a third
            // of PostgreSQL's work per event-made job), and the driver escape them first
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setObject(2, queues);
            ps.setObject(3, types);
            ps.setObject(4, priorities);
            ps.setObject(5, runAts);
            ps.setObject(6, maxAttempts);
            ps.setObject(7, backoffs);
            ps.setObject(8, backoffMaxes);
            ps.setObject(9, timeouts);
            ps.setObject(10, payloads);
            ps.setObject(11, keys);
            ps.setObject(12, correlations);
            ps.setObject(13, traceparents);
            ps.setObject(14, tracestates);
            ps.setObject(15, claims);
            ps.setObject(16, at(keysExpireAt));
            ps.setObject(17, at(now));
            ps.setObject(18, workerId);
            ps.setObject(19, at(now));
            Set<UUID> inserted = new HashSet<>();
            Map<UUID, String> claimed = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(Sql.InsertedRow.ID.at, UUID.class);
                    inserted.add(id);
                    String row = Sql.InsertedRow.claimedRow(rs);
                    if (row != null) {
                        claimed.put(id, row);
                    }
                }
            }
            return new Inserted(inserted, claimed);
        }
    }

    @Override
    public Map<String, UUID> lookupKeys(Connection c, Collection<String> keys) throws SQLException {
        Map<String, UUID> found = new HashMap<>();
        try (PreparedStatement ps = plannedEachTime(c, sql.lookupKeys)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(Sql.KeyRow.KEY.at), rs.getObject(Sql.KeyRow.JOB_ID.at, UUID.class));
                }
            }
        }
        return found;
    }

    @Override
    public List<RunnableJob> fetch(String queue, int limit, Instant now, UUID workerId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = plannedEachTime(c, sql.fetchAvailable)) {
            ps.setObject(1, at(now));
            ps.setObject(2, workerId);
            ps.setString(3, queue);
            ps.setObject(4, at(now));
            ps.setString(5, queue);
            ps.setInt(6, limit);
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

    /**
     * A statement over the hot tables that finds its rows by a set (ids, row addresses, keys), planned at each
     * execution for the tables as they are then. Server-side prepared, such a statement keeps the generic plan
     * made while its table held a few rows, a sequential scan, once it holds thousands: the claim scanned the
     * whole hot table (drain 5k/s instead of 40k/s) and a completion of 1000 jobs parsed its array of row
     * addresses once per row of a 165k-row table (1.5 s per batch: finished jobs piled up running), both
     * measured. Planning costs far less than either.
     */
    private static PreparedStatement plannedEachTime(Connection c, String statement) throws SQLException {
        PreparedStatement ps = c.prepareStatement(statement);
        ps.unwrap(PGStatement.class).setPrepareThreshold(0);
        return ps;
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
                try (PreparedStatement ps = plannedEachTime(c, archive ? sql.completeRowsArchived : sql.completeRows)) {
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
                try (PreparedStatement ps = plannedEachTime(c, archive ? sql.completeManyArchived : sql.completeMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", completed.toArray()));
                    ps.setObject(2, workerId);
                    if (archive) {
                        ps.setObject(3, at(now));
                    }
                    ps.executeUpdate();
                }
            }
            if (!retries.isEmpty()) {
                try (PreparedStatement ps = plannedEachTime(c, sql.retryMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", retries.stream().map(Outcome.Retry::id).toArray()));
                    ps.setArray(2, c.createArrayOf("int8", retries.stream().map(r -> micros(r.runAt())).toArray()));
                    ps.setArray(3, c.createArrayOf("text", retries.stream().map(Outcome.Retry::errorJson).toArray()));
                    ps.setObject(4, workerId);
                    ps.executeUpdate();
                }
            }
            if (!dead.isEmpty()) {
                try (PreparedStatement ps = plannedEachTime(c, sql.buryMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", dead.stream().map(Outcome.Dead::id).toArray()));
                    ps.setArray(2, c.createArrayOf("text", dead.stream().map(Outcome.Dead::errorJson).toArray()));
                    ps.setObject(3, workerId);
                    ps.setObject(4, at(now));
                    ps.executeUpdate();
                }
            }
            if (!snoozed.isEmpty()) {
                try (PreparedStatement ps = plannedEachTime(c, sql.snoozeMany)) {
                    ps.setArray(1, c.createArrayOf("uuid", snoozed.stream().map(Outcome.Snoozed::id).toArray()));
                    ps.setArray(2, c.createArrayOf("int8", snoozed.stream().map(z -> micros(z.runAt())).toArray()));
                    ps.setObject(3, workerId);
                    ps.executeUpdate();
                }
            }
            if (!handedBack.isEmpty()) {
                try (PreparedStatement ps = plannedEachTime(c, sql.handBackMany)) {
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
    public void heartbeat(UUID workerId, String host, Instant startedAt, Instant now) {
        calls.update(sql.heartbeat, workerId, host, at(startedAt), at(now));
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
    public List<DeadJob> listDead(String queue, String type, int limit) {
        return admin.listDead(queue, type, limit);
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
    public List<JobInfo> findByCorrelation(String correlationId, int limit) {
        return admin.findByCorrelation(correlationId, limit);
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
