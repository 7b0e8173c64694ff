package dev.spine.spring.boot;

import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.jobs.JobType;
import dev.spine.jobs.JobStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Enqueues jobs the Spring way: inside a {@code @Transactional} method the job is written on that transaction's
 * connection (Spring's {@link DataSourceUtils}), so it exists if and only if the transaction commits; outside
 * one it is committed at once. The queue's NOTIFY rides in the transaction, so workers wake at the commit.
 *
 * <pre>{@code
 * @Transactional
 * public void placeOrder(Order order) {
 *     orders.insert(order);
 *     jobs.enqueue(SHIP_ORDER, new ShipOrder(order.id()));   // rolled back with the order
 * }
 * }</pre>
 */
public final class TransactionalJobs {
    private final JobQueue queue;
    private final DataSource dataSource;

    public TransactionalJobs(JobQueue queue, DataSource dataSource) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Enqueues in the current transaction, or commits at once when there is none; the job's id. */
    public UUID enqueue(JobRequest request) {
        return enqueueAll(List.of(request)).get(0);
    }

    /** {@link #enqueue(JobRequest)} of a typed job: {@code type.with(payload)}. */
    public <T> UUID enqueue(JobType<T> type, T payload) {
        return enqueue(type.with(payload));
    }

    /** Enqueues a batch in the current transaction, or commits it at once when there is none. */
    public List<UUID> enqueueAll(List<JobRequest> requests) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return queue.enqueueAll(requests);
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            if (!DataSourceUtils.isConnectionTransactional(connection, dataSource)) {
                // a transaction on another resource (another DataSource, a JTA manager that does not bind this
                // one): committing the job now would break the promise that it rolls back with the caller
                throw new IllegalStateException("the current transaction is not on the DataSource of the spine's "
                        + "job queue; enqueue outside it (committed at once) or run the transaction on that DataSource");
            }
            return queue.enqueueAll(connection, requests);
        } catch (SQLException e) {
            throw new JobStoreException("enqueue in the current transaction failed", e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    /** The queue itself: operations (stats, dead letters, redrive) and committed-at-once enqueues. */
    public JobQueue queue() {
        return queue;
    }
}
