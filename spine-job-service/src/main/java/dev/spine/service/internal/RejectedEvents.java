package dev.spine.service.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.service.RejectedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The rejected-events table: written in the materialising transaction, read by operators. */
public final class RejectedEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String insert;
    private final String list;
    private final String count;
    private final DataSource dataSource;

    public RejectedEvents(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.insert = "insert into " + schema + ".rejected_event (received_at, stream, stream_seq, subject, headers, "
                + "raw, code, field, reason) values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)";
        this.list = "select id, received_at, stream, stream_seq, subject, headers::text, raw, code, field, reason from "
                + schema + ".rejected_event where id < ? order by id desc limit ?";
        this.count = "select count(*) from " + schema + ".rejected_event";
    }

    /** One rejection, waiting to be written. */
    public record Rejection(String stream, long streamSequence, String subject, Map<String, String> headers,
            byte[] raw, String code, String field, String reason) {}

    /** Writes rejections on the caller's connection (its transaction). */
    public void insert(Connection c, List<Rejection> rejections, Instant now) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            for (Rejection r : rejections) {
                ps.setObject(1, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                ps.setString(2, r.stream());
                ps.setLong(3, r.streamSequence());
                ps.setString(4, r.subject());
                ps.setString(5, headersJson(r.headers()));
                ps.setBytes(6, r.raw());
                ps.setString(7, r.code());
                ps.setString(8, r.field());
                ps.setString(9, r.reason());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Newest first, below {@code beforeId} (use Long.MAX_VALUE for the first page). */
    public List<RejectedEvent> list(long beforeId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(list)) {
            ps.setLong(1, beforeId);
            ps.setInt(2, limit);
            List<RejectedEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RejectedEvent(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                            rs.getString(3), rs.getLong(4), rs.getString(5), headers(rs.getString(6)), rs.getBytes(7),
                            rs.getString(8), rs.getString(9), rs.getString(10)));
                }
            }
            return out;
        }
    }

    public long count() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(count);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String headersJson(Map<String, String> headers) {
        try {
            return JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("headers are strings and always serialise", e);
        }
    }

    private static Map<String, String> headers(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored headers are not JSON: " + json, e);
        }
    }
}
