package dev.spine.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Which publishers still send a legacy event shape: per shape and source, the events of the event store that
 * were adapted on the way in ({@code spine events shapes}), so teams know who has yet to migrate.
 *
 * @param shape  the shape's label ({@code pg-bus}, {@code http-client}, {@code outbox}, {@code loose})
 * @param source the adapted event's source (the publisher)
 * @param events how many were stored since the given time
 */
public record AdaptedShapes(String shape, String source, long events, Instant first, Instant last) {

    /** Adapted events stored in {@code schema}'s event store since {@code since}, most frequent first. */
    public static List<AdaptedShapes> since(DataSource dataSource, String schema, Instant since) throws SQLException {
        List<AdaptedShapes> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement p = c.prepareStatement(new BusSql(schema).adaptedShapes)) {
            p.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(new AdaptedShapes(rs.getString(1), rs.getString(2), rs.getLong(3),
                            rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant()));
                }
            }
        }
        return out;
    }
}
