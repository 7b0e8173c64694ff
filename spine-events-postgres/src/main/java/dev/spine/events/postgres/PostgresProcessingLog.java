package dev.spine.events.postgres;

import dev.spine.events.middleware.ProcessingLog;
import dev.spine.events.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The idempotency middleware's {@link ProcessingLog} in PostgreSQL, shared by every instance of a
 * service: table {@code <schema>.processing_log}, one row per (handler, key). A claim is one
 * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} statement (it takes a free key, or one whose
 * running lease has expired, atomically), so two instances never both start the same key; a completed
 * key stays {@code done} until {@link #forgetDoneBefore} removes it. Lease times are the database's
 * clock. Thread-safe.
 *
 * <p>Exactly-once effects in PostgreSQL: when the handler's own writes go to the same database, do them
 * and {@link #completeIn} in one transaction; then a crash either keeps both or neither.
 */
public final class PostgresProcessingLog implements ProcessingLog {
    private final DataSource dataSource;
    private final Sql sql;

    private PostgresProcessingLog(DataSource dataSource, Sql sql) {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    /** A log in {@code schema}, creating or upgrading the tables first. */
    public static PostgresProcessingLog create(DataSource dataSource, String schema) {
        Sql sql = Sql.in(schema);
        EventTables.schemaMigrator(Objects.requireNonNull(dataSource, "dataSource"), sql.schema).migrate();
        return new PostgresProcessingLog(dataSource, sql);
    }

    /** A log in the default schema {@value Outbox.Builder#DEFAULT_SCHEMA}. */
    public static PostgresProcessingLog create(DataSource dataSource) {
        return create(dataSource, Outbox.Builder.DEFAULT_SCHEMA);
    }

    @Override
    public Claim tryStart(String handler, String key, Duration lease) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement p = c.prepareStatement(sql.claim)) {
                p.setString(1, handler);
                p.setString(2, key);
                p.setString(3, lease.toMillis() + " milliseconds");
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        return Claim.STARTED;
                    }
                }
            }
            // not claimed: the row exists and is either done or held under a live lease
            try (PreparedStatement p = c.prepareStatement(sql.claimState)) {
                p.setString(1, handler);
                p.setString(2, key);
                try (ResultSet rs = p.executeQuery()) {
                    if (!rs.next()) {
                        return Claim.IN_PROGRESS; // released between the two statements: the retry will claim it
                    }
                    return "done".equals(rs.getString(1)) ? Claim.ALREADY_DONE : Claim.IN_PROGRESS;
                }
            }
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot claim " + handler + "/" + key + " in " + sql.schema + ".processing_log", e);
        }
    }

    @Override
    public void complete(String handler, String key) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            completeIn(c, handler, key);
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot complete " + handler + "/" + key, e);
        }
    }

    /**
     * Marks {@code key} done inside the caller's transaction on {@code connection}: commit it with the
     * handler's own writes for exactly-once effects in this database.
     */
    public void completeIn(Connection connection, String handler, String key) {
        try (PreparedStatement p = connection.prepareStatement(sql.complete)) {
            p.setString(1, handler);
            p.setString(2, key);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot complete " + handler + "/" + key, e);
        }
    }

    @Override
    public void release(String handler, String key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.release)) {
            p.setString(1, handler);
            p.setString(2, key);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot release " + handler + "/" + key, e);
        }
    }

    /** Deletes done entries last updated before {@code cutoff} (keep them longer than any redelivery can come). */
    public int forgetDoneBefore(Instant cutoff) {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.forgetDoneBefore)) {
            p.setTimestamp(1, Timestamp.from(cutoff));
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot prune " + sql.schema + ".processing_log", e);
        }
    }
}
