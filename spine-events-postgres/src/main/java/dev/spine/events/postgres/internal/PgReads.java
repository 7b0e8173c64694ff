package dev.spine.events.postgres.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.ConsumerStats;
import dev.spine.events.StoredEvent;
import dev.spine.events.StreamStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The reads of the PostgreSQL bus: the {@code domain_events} table by id, which is its sequence. */
public final class PgReads {
    private final DataSource dataSource;
    private final BusSql sql;
    private final EventCodec codec;
    private final String stream;

    public PgReads(DataSource dataSource, BusSql sql, EventCodec codec) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.codec = codec;
        this.stream = sql.schema + ".domain_events";
    }

    public String stream() {
        return stream;
    }

    public long lastSequence() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.lastSequence);
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public List<StoredEvent> read(long fromSequence, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.readFrom)) {
            p.setLong(1, fromSequence);
            p.setInt(2, limit);
            return events(p);
        }
    }

    public List<StoredEvent> newest(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.readNewest)) {
            p.setInt(1, limit);
            return events(p);
        }
    }

    private List<StoredEvent> events(PreparedStatement p) throws SQLException {
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredEvent(stream, rs.getLong(1), rs.getString(2), rs.getBytes(3), codec));
            }
        }
        return out;
    }

    public StreamStats stats() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.streamStats);
                ResultSet rs = p.executeQuery()) {
            rs.next();
            return new StreamStats(stream, true, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                    "every published event");
        }
    }

    /** The group's pending and unsettled deliveries; empty when there is no such group. */
    public Optional<ConsumerStats> backlog(String group) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.groupBacklog)) {
            p.setString(1, group);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(new ConsumerStats(stream, group, rs.getLong(1), rs.getLong(2)))
                        : Optional.empty();
            }
        }
    }

    /** Deletes a group and its deliveries; false if there was no such group. */
    public boolean deleteGroup(String group) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement p = c.prepareStatement(sql.deleteGroupDeliveries)) {
                    p.setString(1, group);
                    p.executeUpdate();
                }
                try (PreparedStatement p = c.prepareStatement(sql.deleteGroup)) {
                    p.setString(1, group);
                    n = p.executeUpdate();
                }
                c.commit();
                return n > 0;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }
}
