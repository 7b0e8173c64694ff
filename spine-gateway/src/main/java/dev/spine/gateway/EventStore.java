package dev.spine.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@code bus_event} table: written in batches by {@link EventStoreWriter}, read by the query, replay
 * and partition-history endpoints. An eventId is stored once (a redelivered batch inserts nothing new).
 */
final class EventStore {
    /** One event to store. */
    record Row(UUID eventId, long sequence, String type, String source, UUID correlationId, String partitionKey,
            String timestamp, String envelopeJson) {}

    /** Rows one prune statement deletes at most. */
    static final int PRUNE_SLICE = 10_000;

    private final DataSource dataSource;
    private final BusSql sql;

    EventStore(DataSource dataSource, BusSql sql) {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    /** Inserts {@code rows} of {@code stream} in one statement; returns how many were new. */
    int insert(String stream, List<Row> rows) throws SQLException {
        int n = rows.size();
        Object[] ids = new Object[n];
        Object[] seqs = new Object[n];
        Object[] types = new Object[n];
        Object[] sources = new Object[n];
        Object[] correlations = new Object[n];
        Object[] keys = new Object[n];
        Object[] times = new Object[n];
        Object[] envelopes = new Object[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            ids[i] = r.eventId();
            seqs[i] = r.sequence();
            types[i] = r.type();
            sources[i] = r.source();
            correlations[i] = r.correlationId();
            keys[i] = r.partitionKey();
            times[i] = r.timestamp();
            envelopes[i] = r.envelopeJson();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.insertEvents)) {
            ps.setString(1, stream);
            ps.setArray(2, c.createArrayOf("uuid", ids));
            ps.setArray(3, c.createArrayOf("bigint", seqs));
            ps.setArray(4, c.createArrayOf("text", types));
            ps.setArray(5, c.createArrayOf("text", sources));
            ps.setArray(6, c.createArrayOf("uuid", correlations));
            ps.setArray(7, c.createArrayOf("text", keys));
            ps.setArray(8, c.createArrayOf("text", times));
            ps.setArray(9, c.createArrayOf("text", envelopes));
            return ps.executeUpdate();
        }
    }

    public Optional<StoredEvent> byId(UUID eventId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.eventById)) {
            ps.setObject(1, eventId);
            List<StoredEvent> found = read(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    public List<StoredEvent> find(EventQuery q) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.findEvents)) {
            ps.setLong(1, q.after());
            ps.setString(2, q.type());
            ps.setString(3, q.type());
            ps.setString(4, q.source());
            ps.setString(5, q.source());
            ps.setObject(6, q.correlationId(), Types.OTHER);
            ps.setObject(7, q.correlationId(), Types.OTHER);
            OffsetDateTime from = q.from() == null ? null : OffsetDateTime.ofInstant(q.from(), ZoneOffset.UTC);
            OffsetDateTime to = q.to() == null ? null : OffsetDateTime.ofInstant(q.to(), ZoneOffset.UTC);
            ps.setObject(8, from, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(9, from, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(10, to, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(11, to, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setInt(12, q.limit());
            return read(ps);
        }
    }

    /** The events of one partition key, in stream order, after {@code after}. */
    public List<StoredEvent> history(String partitionKey, long after, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.partitionHistory)) {
            ps.setString(1, partitionKey);
            ps.setLong(2, after);
            ps.setInt(3, limit);
            return read(ps);
        }
    }

    /** Removes events stored before {@code olderThan}; returns how many. */
    long prune(Instant olderThan) throws SQLException {
        return pruneInSlices(dataSource, sql.pruneEvents, olderThan, PRUNE_SLICE);
    }

    /** Deletes in slices of {@code slice} rows with {@code sql} (bound: cutoff, slice) until a slice comes back short. */
    static long pruneInSlices(DataSource dataSource, String sql, Instant olderThan, int slice) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, OffsetDateTime.ofInstant(olderThan, ZoneOffset.UTC));
            ps.setInt(2, slice);
            int n;
            do {
                n = ps.executeUpdate();
                total += n;
            } while (n == slice);
        }
        return total;
    }

    private static List<StoredEvent> read(PreparedStatement ps) throws SQLException {
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredEvent(rs.getString(1), rs.getLong(2), rs.getString(3)));
            }
        }
        return out;
    }
}
