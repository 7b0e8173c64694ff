package dev.spine.events.postgres;

import dev.spine.events.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The outbox's dead letters in one schema: list them, retry one (it goes back into the outbox as the newest row
 * of its key, and the relay publishes it like any other: once, with its eventId as {@code Nats-Msg-Id}), or
 * delete one for good. It neither creates nor migrates tables: pointed at a schema without an outbox it lists
 * nothing ({@link #exists()} says so). Thread-safe.
 */
public final class OutboxDeadLetters {
    private final DataSource dataSource;
    private final Sql sql;

    private OutboxDeadLetters(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.sql = Sql.in(schema);
    }

    /** The dead letters of the outbox in {@code schema} (checked: a plain lower-case identifier). */
    public static OutboxDeadLetters in(DataSource dataSource, String schema) {
        return new OutboxDeadLetters(dataSource, schema);
    }

    /** Whether the schema has an outbox with dead letters (its migrations ran). */
    public boolean exists() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.deadLettersExist)) {
            p.setString(1, sql.schema + ".outbox_dead_letters");
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Dead letters with an id below {@code beforeId}, newest first, at most {@code limit}. */
    public List<OutboxDeadLetter> list(long beforeId, int limit) throws SQLException {
        if (!exists()) {
            return List.of();
        }
        List<OutboxDeadLetter> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.listDeadLetters)) {
            p.setLong(1, beforeId);
            p.setInt(2, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    public Optional<OutboxDeadLetter> find(long id) throws SQLException {
        if (!exists()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.deadLetterById)) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** How many there are (0 without an outbox). */
    public long count() throws SQLException {
        if (!exists()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.countDeadLetters);
             ResultSet rs = p.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Moves dead letter {@code id} back into the outbox, due at once, under its key's lock (like a new write,
     * so it is ordered after every event of its key written so far). Returns its new outbox id, or empty
     * when there is no such dead letter.
     */
    public OptionalLong retry(long id) throws SQLException {
        Optional<OutboxDeadLetter> d = find(id);
        if (d.isEmpty()) {
            return OptionalLong.empty();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (d.get().partitionKey() != null) {
                    try (PreparedStatement lock = c.prepareStatement(sql.keyLock)) {
                        lock.setString(1, sql.schema + ".outbox");
                        lock.setString(2, d.get().partitionKey());
                        lock.execute();
                    }
                }
                OptionalLong outboxId = OptionalLong.empty();
                try (PreparedStatement p = c.prepareStatement(sql.redriveDeadLetter)) {
                    p.setLong(1, id);
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            outboxId = OptionalLong.of(rs.getLong(1));
                        }
                    }
                }
                c.commit();
                return outboxId; // empty: retried or deleted by someone else meanwhile
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Deletes dead letter {@code id} for good; false when there is none. */
    public boolean delete(long id) throws SQLException {
        if (!exists()) {
            return false;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.deleteDeadLetter)) {
            p.setLong(1, id);
            return p.executeUpdate() == 1;
        }
    }

    private static OutboxDeadLetter row(ResultSet rs) throws SQLException {
        return new OutboxDeadLetter(rs.getLong("id"), rs.getLong("outbox_id"), rs.getObject("event_id", UUID.class),
                rs.getString("event_type"), rs.getString("partition_key"), rs.getBytes("payload"),
                rs.getTimestamp("created_at").toInstant(), rs.getInt("attempts"), rs.getString("last_error"),
                rs.getBoolean("permanent"), rs.getTimestamp("dead_at").toInstant());
    }
}
