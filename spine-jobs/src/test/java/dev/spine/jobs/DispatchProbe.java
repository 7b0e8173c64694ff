package dev.spine.jobs;

import dev.spine.testkit.Eventually;
import java.util.Map;

/** Reads and waits for direct dispatch in tests: the counter of jobs claimed by their own insert. */
final class DispatchProbe {
    static final String DISPATCHED = "spine.jobs.dispatched_locally";

    private DispatchProbe() {}

    /**
     * Waits until the worker counts as drained (its last fetch found the queue empty), shown by a job of type
     * {@code Probe} (the queue needs a handler for it) being dispatched locally; until then probes run by fetch.
     */
    static void idle(JobQueue q, String queue) {
        Eventually.await("worker drained", () -> {
            long before = dispatched(q);
            q.enqueue(JobRequest.of("Probe", Map.of()).queue(queue));
            return dispatched(q) > before;
        });
    }

    static long dispatched(JobQueue q) {
        return q.metrics().getCounters().get(DISPATCHED).getCount();
    }
}
