package dev.spine.jobs.internal;

import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queues that exist, cached: an enqueue checks its queue here without a round trip, and re-reads the
 * table once before calling a queue unknown (another process may just have created it).
 */
public final class QueueRegistry {
    private final JobStore store;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public QueueRegistry(JobStore store) {
        this.store = store;
    }

    public void reload() {
        known.addAll(store.queues());
    }

    public void check(String queue, String field) {
        if (known.contains(queue)) {
            return;
        }
        reload();
        if (!known.contains(queue)) {
            throw new InvalidJobException(JobErrorCode.UNKNOWN_QUEUE, field,
                    "no queue '" + queue + "' (known: " + known + "); create it with JobQueue.createQueue");
        }
    }

    public void create(String queue) {
        store.createQueue(queue);
        known.add(queue);
    }
}
