package dev.spine.jobs.internal;

import static dev.spine.jobs.internal.PgTypes.at;
import static dev.spine.jobs.internal.PgTypes.micros;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The enqueue's statements, for {@link PgJobStore}: one keyless job by a plain insert, a keyed or claimed
 * batch by one {@code unnest} statement, a large keyless batch by COPY; and the look-up of keys taken.
 * Always on the caller's connection: whoever calls decides the transaction.
 */
final class PgJobInserts {
    /** Below this size a keyless batch is inserted with one unnest() statement, above it with COPY. */
    static final int COPY_THRESHOLD = 200;

    private final Sql sql;

    PgJobInserts(Sql sql) {
        this.sql = sql;
    }

    JobStore.Inserted insert(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
            Instant keysExpireAt) throws SQLException {
        boolean anyClaim = false;
        for (int i = 0; claim != null && i < claim.length && !anyClaim; i++) {
            anyClaim = claim[i];
        }
        if (jobs.size() == 1 && jobs.get(0).idempotencyKey() == null) {
            NewJob j = jobs.get(0);
            Set<UUID> id = Set.of(j.id());
            String row = insertOne(c, j, now, anyClaim ? workerId : null);
            return new JobStore.Inserted(id, row == null ? Map.of() : Map.of(j.id(), row));
        }
        boolean anyKey = jobs.stream().anyMatch(j -> j.idempotencyKey() != null);
        if (!anyKey && !anyClaim && jobs.size() >= COPY_THRESHOLD) {
            JobCopy.copy(c, sql.copyJobs, jobs, now);
            Set<UUID> ids = new HashSet<>(jobs.size() * 2);
            jobs.forEach(j -> ids.add(j.id()));
            return new JobStore.Inserted(ids, Map.of());
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

    private JobStore.Inserted insertMany(Connection c, List<NewJob> jobs, boolean[] claim, UUID workerId, Instant now,
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
            return new JobStore.Inserted(inserted, claimed);
        }
    }

    Map<String, UUID> lookupKeys(Connection c, Collection<String> keys) throws SQLException {
        Map<String, UUID> found = new HashMap<>();
        try (PreparedStatement ps = PgCalls.plannedEachTime(c, sql.lookupKeys)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(Sql.KeyRow.KEY.at), rs.getObject(Sql.KeyRow.JOB_ID.at, UUID.class));
                }
            }
        }
        return found;
    }
}
