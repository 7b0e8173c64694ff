package dev.spine.spring.boot;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.postgres.Outbox;
import java.sql.Connection;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The transactional outbox inside {@code @Transactional}: the event is written on the current transaction's
 * connection, so it is published (by the relay) if and only if the transaction commits.
 */
public final class TransactionalOutbox {
    private final Outbox outbox;
    private final DataSource dataSource;

    public TransactionalOutbox(Outbox outbox, DataSource dataSource) {
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Adds {@code event}, keyed by its own partition key, to the current transaction. */
    public void add(EventEnvelope event) {
        add(event, event.partitionKey());
    }

    /**
     * Adds {@code event} to the current transaction; events with the same {@code partitionKey} are published in
     * commit order.
     *
     * @throws IllegalStateException when no transaction on the outbox's DataSource is active: an outbox event
     *     outside a transaction would be committed alone, which is what publishing directly is for
     */
    public void add(EventEnvelope event, String partitionKey) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("TransactionalOutbox.add needs an active transaction (@Transactional); "
                    + "outside one publish with the EventPublisher bean");
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            if (!DataSourceUtils.isConnectionTransactional(connection, dataSource)) {
                throw new IllegalStateException("the current transaction is not on the outbox's DataSource");
            }
            outbox.add(connection, event, partitionKey);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** The outbox itself. */
    public Outbox outbox() {
        return outbox;
    }
}
