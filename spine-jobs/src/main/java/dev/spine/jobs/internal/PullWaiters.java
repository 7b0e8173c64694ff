package dev.spine.jobs.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pull workers' fetches waiting for jobs (long-poll), by queue: woken by the same wake-ups as this process's own
 * queue workers (an enqueue here, a NOTIFY from another process, a retry coming due), so a waiting fetch claims a
 * new job at once instead of at its next poll.
 */
public final class PullWaiters {
    private final Map<String, Set<Signal>> byQueue = new ConcurrentHashMap<>();

    /** Registers {@code signal} for {@code queues}: register before the fetch, so a wake-up in between is kept. */
    public void add(List<String> queues, Signal signal) {
        for (String q : queues) {
            byQueue.computeIfAbsent(q, k -> ConcurrentHashMap.newKeySet()).add(signal);
        }
    }

    public void remove(List<String> queues, Signal signal) {
        for (String q : queues) {
            Set<Signal> waiting = byQueue.get(q);
            if (waiting != null) {
                waiting.remove(signal);
            }
        }
    }

    public boolean any(String queue) {
        Set<Signal> waiting = byQueue.get(queue);
        return waiting != null && !waiting.isEmpty();
    }

    public void wake(String queue) {
        Set<Signal> waiting = byQueue.get(queue);
        if (waiting != null) {
            waiting.forEach(Signal::raise);
        }
    }
}
