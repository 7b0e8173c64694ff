package dev.spine.spring.boot;

import dev.spine.events.BusStatus;
import dev.spine.events.Spine;
import dev.spine.events.postgres.OutboxRelay;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of the spine ({@code /actuator/health}, component {@code spine}): {@code database} (a query on
 * the application's DataSource), {@code broker} (the event bus's NATS connection and streams) and {@code ingest}
 * (the outbox relay: rows waiting, age of the oldest, dead letters). Down when the database or the broker is;
 * a backlog is reported, not judged (its alert thresholds belong to the application).
 */
public class SpineHealthIndicator extends AbstractHealthIndicator {
    private final DataSource dataSource;
    private final Spine spine;
    private final OutboxRelay relay;

    /** {@code spine} and {@code relay} may be null (not configured): then they are not reported. */
    public SpineHealthIndicator(DataSource dataSource, Spine spine, OutboxRelay relay) {
        super("spine health check failed");
        this.dataSource = dataSource;
        this.spine = spine;
        this.relay = relay;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean up = true;
        if (dataSource != null) {
            String database;
            try (Connection c = dataSource.getConnection()) {
                database = c.isValid(2) ? "UP" : "DOWN: the connection is not valid";
            } catch (Exception e) {
                database = "DOWN: " + e.getMessage();
            }
            up &= database.equals("UP");
            builder.withDetail("database", database);
        }
        if (spine != null) {
            BusStatus status = spine.status();
            up &= status.up();
            builder.withDetail("broker", (status.up() ? "UP" : "DOWN") + ": " + status.detail());
        }
        if (relay != null) {
            Map<String, Object> ingest = new LinkedHashMap<>();
            ingest.put("leader", relay.isLeader());
            ingest.put("pending", relay.pending());
            ingest.put("lagMillis", relay.lag().toMillis());
            ingest.put("deadLetters", relay.deadLetterCount());
            builder.withDetail("ingest", ingest);
        }
        if (up) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
