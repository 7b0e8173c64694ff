package dev.spine.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The subscriptions table, the webhook dead letters (per subscription) and the claims of at-most-once
 * deliveries. Deleting a subscription deletes its dead letters and claims with it.
 */
final class SubscriptionStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource dataSource;
    private final BusSql sql;

    SubscriptionStore(DataSource dataSource, BusSql sql) {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    void insert(Subscription s) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.insertSubscription)) {
            ps.setObject(1, s.id());
            ps.setString(2, s.name());
            ps.setArray(3, c.createArrayOf("text", s.eventTypes().toArray()));
            ps.setString(4, json(s.filters().stream().map(DataFilter::toJson).toList()));
            ps.setString(5, s.mode().wire());
            ps.setString(6, s.url() == null ? null : s.url().toString());
            ps.setString(7, s.secret());
            ps.setString(8, s.guarantee().wire());
            ps.setInt(9, s.maxAttempts());
            ps.setInt(10, (int) s.timeout().toMillis());
            ps.setObject(11, OffsetDateTime.ofInstant(s.createdAt(), ZoneOffset.UTC));
            ps.setObject(12, s.startSequence() == 0 ? null : s.startSequence(), java.sql.Types.BIGINT);
            ps.executeUpdate();
        }
    }

    public List<Subscription> list() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.listSubscriptions);
                ResultSet rs = ps.executeQuery()) {
            List<Subscription> out = new ArrayList<>();
            while (rs.next()) {
                out.add(readSubscription(rs));
            }
            return out;
        }
    }

    public Optional<Subscription> byId(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.subscriptionById)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readSubscription(rs)) : Optional.empty();
            }
        }
    }

    boolean delete(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.deleteSubscription)) {
            ps.setObject(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records a dead letter; false when its subscription was deleted meanwhile (nothing to keep it for). */
    boolean deadLetter(Subscription s, StoredEvent event, java.util.UUID eventId, int attempts,
            WebhookSender.Outcome outcome, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.insertDeadLetter)) {
            ps.setObject(1, s.id());
            ps.setObject(2, eventId);
            ps.setLong(3, event.sequence());
            ps.setString(4, event.envelopeJson());
            ps.setInt(5, attempts);
            ps.setObject(6, outcome.status() == 0 ? null : outcome.status(), java.sql.Types.INTEGER);
            ps.setString(7, outcome.error());
            ps.setObject(8, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setObject(9, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) { // foreign key: the subscription is gone
                return false;
            }
            throw e;
        }
    }

    /** Dead letters, newest first, below {@code beforeId}, of one subscription or (null) all. */
    public List<WebhookDeadLetter> deadLetters(UUID subscriptionId, long beforeId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.listDeadLetters)) {
            ps.setLong(1, beforeId);
            ps.setObject(2, subscriptionId, java.sql.Types.OTHER);
            ps.setObject(3, subscriptionId, java.sql.Types.OTHER);
            ps.setInt(4, limit);
            return readDeadLetters(ps);
        }
    }

    public Optional<WebhookDeadLetter> deadLetter(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.deadLetterById)) {
            ps.setLong(1, id);
            List<WebhookDeadLetter> found = readDeadLetters(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    boolean deleteDeadLetter(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.deleteDeadLetter)) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    void failedRetry(long id, WebhookSender.Outcome outcome, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.failedRetry)) {
            ps.setObject(1, outcome.status() == 0 ? null : outcome.status(), java.sql.Types.INTEGER);
            ps.setString(2, outcome.error());
            ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    /** True the first time (the caller may deliver), false when this event was claimed before. */
    boolean claim(UUID subscriptionId, UUID eventId, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.claimDelivery)) {
            ps.setObject(1, subscriptionId);
            ps.setObject(2, eventId);
            ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) {
                return false; // deleted subscriptions get nothing
            }
            throw e;
        }
    }

    int pruneClaims(Instant olderThan) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.pruneClaims)) {
            ps.setObject(1, OffsetDateTime.ofInstant(olderThan, ZoneOffset.UTC));
            return ps.executeUpdate();
        }
    }

    private static List<WebhookDeadLetter> readDeadLetters(PreparedStatement ps) throws SQLException {
        List<WebhookDeadLetter> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int status = rs.getInt(7);
                Integer lastStatus = rs.wasNull() ? null : status; // read now: wasNull is about the last column read
                out.add(new WebhookDeadLetter(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        new StoredEvent(null, rs.getLong(4), rs.getString(5)), rs.getInt(6),
                        lastStatus, rs.getString(8),
                        rs.getObject(9, OffsetDateTime.class).toInstant(),
                        rs.getObject(10, OffsetDateTime.class).toInstant()));
            }
        }
        return out;
    }

    private static Subscription readSubscription(ResultSet rs) throws SQLException {
        List<DataFilter> filters = new ArrayList<>();
        try {
            for (JsonNode f : JSON.readTree(rs.getString(4))) {
                filters.add(SubscriptionRequests.filter(f, "filters"));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored filters are not JSON", e);
        }
        String url = rs.getString(6);
        return new Subscription(rs.getObject(1, UUID.class), rs.getString(2),
                List.of((String[]) rs.getArray(3).getArray()), filters, Subscription.Mode.of(rs.getString(5)),
                url == null ? null : URI.create(url), rs.getString(7), Subscription.Guarantee.of(rs.getString(8)),
                rs.getInt(9), Duration.ofMillis(rs.getInt(10)), rs.getObject(11, OffsetDateTime.class).toInstant(),
                rs.getLong(12)); // null (made before start positions were kept): 0
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("filters always serialise", e);
        }
    }
}
