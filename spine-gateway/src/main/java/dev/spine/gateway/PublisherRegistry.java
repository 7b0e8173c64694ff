package dev.spine.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The publishers table. An API key is {@code spk_} + 32 random bytes (base64url); only its SHA-256 is
 * stored. A salted slow hash is not needed: the key is random and long, so there is no dictionary to try,
 * and a plain hash can be looked up by index on every publish.
 */
final class PublisherRegistry {
    static final String KEY_PREFIX = "spk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final BusSql sql;
    private final Clock clock;

    PublisherRegistry(DataSource dataSource, BusSql sql, Clock clock) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.clock = clock;
    }

    /** A new publisher and its API key (shown once); empty when the name is taken. */
    public record Registration(Publisher publisher, String apiKey) {}

    public Optional<Registration> register(String name, List<String> allowedTypes) throws SQLException {
        String key = newKey();
        Publisher p = new Publisher(UUID.randomUUID(), name, allowedTypes, prefixOf(key), clock.instant());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.insertPublisher)) {
            ps.setObject(1, p.id());
            ps.setString(2, name);
            ps.setArray(3, c.createArrayOf("text", allowedTypes.toArray()));
            ps.setBytes(4, hash(key));
            ps.setString(5, p.keyPrefix());
            ps.setObject(6, OffsetDateTime.ofInstant(p.createdAt(), ZoneOffset.UTC));
            return ps.executeUpdate() == 1 ? Optional.of(new Registration(p, key)) : Optional.empty();
        }
    }

    public List<Publisher> list() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.listPublishers);
                ResultSet rs = ps.executeQuery()) {
            List<Publisher> out = new ArrayList<>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    /** The publisher holding {@code apiKey}, if any. */
    public Optional<Publisher> authenticate(String apiKey) throws SQLException {
        if (apiKey == null || !apiKey.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.publisherByKeyHash)) {
            ps.setBytes(1, hash(apiKey));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** A new key for publisher {@code id}; the old one stops working at once. Empty when there is no such publisher. */
    public Optional<Registration> rotateKey(UUID id) throws SQLException {
        String key = newKey();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.rotatePublisherKey)) {
            ps.setBytes(1, hash(key));
            ps.setString(2, prefixOf(key));
            ps.setObject(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Registration(read(rs), key)) : Optional.empty();
            }
        }
    }

    private static String newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    private static String prefixOf(String key) {
        return key.substring(0, KEY_PREFIX.length() + 6);
    }

    /** Removes a publisher: its key stops working at once. False when there was none. */
    public boolean delete(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.deletePublisher)) {
            ps.setObject(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static Publisher read(ResultSet rs) throws SQLException {
        Array types = rs.getArray(3);
        return new Publisher(rs.getObject(1, UUID.class), rs.getString(2), List.of((String[]) types.getArray()),
                rs.getString(4), rs.getObject(5, OffsetDateTime.class).toInstant());
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
