package dev.spine.events.postgres;

import dev.spine.events.ReceivedEvent;
import dev.spine.events.middleware.EventHistory;
import dev.spine.events.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The optional {@link EventHistory} in PostgreSQL: one row per handled delivery in
 * {@code <schema>.event_history} (handler, event id, type, correlation id, delivery count, outcome,
 * duration, error), indexed by event id. One insert per delivery: enable it where the audit is worth it.
 */
public final class PostgresEventHistory implements EventHistory {
    private static final int MAX_ERROR_LENGTH = 2000;

    private final DataSource dataSource;
    private final Sql sql;

    private PostgresEventHistory(DataSource dataSource, Sql sql) {
        this.dataSource = dataSource;
        this.sql = sql;
    }

    /** A history in {@code schema}, creating or upgrading the tables first. */
    public static PostgresEventHistory create(DataSource dataSource, String schema) {
        Sql sql = Sql.in(schema);
        EventTables.schemaMigrator(Objects.requireNonNull(dataSource, "dataSource"), sql.schema).migrate();
        return new PostgresEventHistory(dataSource, sql);
    }

    @Override
    public void record(String handler, ReceivedEvent event, Outcome outcome, Duration took, Throwable error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql.recordHistory)) {
            p.setString(1, handler);
            p.setObject(2, event.envelope().eventId());
            p.setString(3, event.envelope().eventType());
            p.setObject(4, event.envelope().correlationId());
            p.setLong(5, event.deliveredCount());
            p.setString(6, outcome.name());
            p.setLong(7, took.toNanos() / 1000);
            String message = error == null ? null : error.toString();
            p.setString(8, message != null && message.length() > MAX_ERROR_LENGTH
                    ? message.substring(0, MAX_ERROR_LENGTH) : message);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new PostgresEventsException("cannot record " + outcome + " of " + event.envelope() + " in "
                    + sql.schema + ".event_history", e);
        }
    }
}
