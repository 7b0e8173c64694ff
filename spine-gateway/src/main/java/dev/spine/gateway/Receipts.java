package dev.spine.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The first receipt of each eventId accepted over HTTP. JetStream's duplicate window (2 minutes) already
 * stores a retried eventId once; the table makes the answer to a retry the first receipt also after the
 * window has passed, so a client that retries late never publishes twice.
 */
final class Receipts {
    /** Where an accepted event is stored: the stream, its sequence there, and the event's timestamp. */
    record Receipt(String stream, long sequence, Instant timestamp) {}

    private final DataSource dataSource;
    private final BusSql sql;
    private final Clock clock;

    Receipts(DataSource dataSource, BusSql sql, Clock clock) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.clock = clock;
    }

    Optional<Receipt> find(UUID eventId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.receiptByEventId)) {
            ps.setObject(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Receipt(rs.getString(1), rs.getLong(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant())) : Optional.empty();
            }
        }
    }

    /** Removes receipts accepted before {@code olderThan}; a retry after that publishes again. */
    long prune(Instant olderThan) throws SQLException {
        return EventStore.pruneInSlices(dataSource, sql.pruneReceipts, olderThan, EventStore.PRUNE_SLICE);
    }

    /** Records {@code receipt} unless one exists; returns the receipt that is on record (the first). */
    Receipt record(UUID eventId, Receipt receipt, UUID publisherId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.insertReceipt)) {
            ps.setObject(1, eventId);
            ps.setString(2, receipt.stream());
            ps.setLong(3, receipt.sequence());
            ps.setObject(4, OffsetDateTime.ofInstant(receipt.timestamp(), ZoneOffset.UTC));
            ps.setObject(5, publisherId);
            ps.setObject(6, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            if (ps.executeUpdate() == 1) {
                return receipt;
            }
        }
        return find(eventId).orElse(receipt);
    }
}
