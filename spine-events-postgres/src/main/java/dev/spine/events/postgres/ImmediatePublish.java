package dev.spine.events.postgres;

import dev.spine.events.EventPublisher;
import dev.spine.events.postgres.internal.KeyOrderedSend;
import dev.spine.events.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The immediate mode of {@link Outbox#transaction}: after the commit, publishes the transaction's events
 * and marks them sent. A key whose earlier events (of other transactions) are not all sent yet is left
 * to the relay, which publishes in id order: an immediate publish never overtakes an event of its key.
 * Within the transaction, a key's events go out in order and stop at the first one that fails to be sent.
 */
final class ImmediatePublish {
    private static final Logger LOG = LoggerFactory.getLogger(ImmediatePublish.class);

    private final DataSource dataSource;
    private final Sql sql;
    private final EventPublisher publisher;

    ImmediatePublish(DataSource dataSource, Sql sql, EventPublisher publisher) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.publisher = publisher;
    }

    void publish(List<Outbox.Written> committed) {
        try (Connection c = dataSource.getConnection()) {
            List<Outbox.Written> eligible = eligible(c, committed);
            List<Long> sent = send(eligible);
            if (!sent.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement(sql.markSent)) {
                    p.setArray(1, c.createArrayOf("bigint", sent.toArray()));
                    p.executeUpdate();
                }
            }
        } catch (SQLException e) {
            // the transaction is committed: whatever was not marked sent, the relay sends (deduplicated by eventId)
            LOG.warn("immediate publish after commit could not finish in PostgreSQL; the relay takes over", e);
        }
    }

    /** The committed rows whose key has no earlier unsent row (unkeyed rows always qualify). */
    private List<Outbox.Written> eligible(Connection c, List<Outbox.Written> committed) throws SQLException {
        Map<String, Boolean> keyFree = new HashMap<>();
        List<Outbox.Written> out = new ArrayList<>(committed.size());
        for (Outbox.Written w : committed) {
            if (w.partitionKey() == null) {
                out.add(w);
                continue;
            }
            // the first row of each key in this transaction decides for all of the key's rows in it
            Boolean free = keyFree.get(w.partitionKey());
            if (free == null) {
                try (PreparedStatement p = c.prepareStatement(sql.earlierUnsent)) {
                    p.setString(1, w.partitionKey());
                    p.setLong(2, w.id());
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        free = !rs.getBoolean(1);
                    }
                }
                keyFree.put(w.partitionKey(), free);
                if (!free) {
                    LOG.debug("key {} has earlier unsent events; the relay publishes {} after them", w.partitionKey(),
                            w.envelope());
                }
            }
            if (free) {
                out.add(w);
            }
        }
        return out;
    }

    /** Publishes in order per key (see {@link KeyOrderedSend}); returns the ids stored. A key stops at its first failure. */
    private List<Long> send(List<Outbox.Written> rows) {
        List<Long> sent = new ArrayList<>(rows.size());
        for (KeyOrderedSend.Outcome<Outbox.Written> o : KeyOrderedSend.send(rows, Outbox.Written::partitionKey,
                w -> publisher.publishAsync(w.envelope()))) {
            if (o.sent()) {
                sent.add(o.row().id());
            } else {
                LOG.info("immediate publish of {} failed ({}); the relay will publish it", o.row().envelope(),
                        o.error().toString());
            }
        }
        return sent;
    }
}
