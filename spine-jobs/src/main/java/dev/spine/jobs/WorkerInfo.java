package dev.spine.jobs;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One process in the worker registry, as its last heartbeat wrote it: the queues it works, each with its
 * handler threads (concurrency), and the job types it has handlers for. It claims exactly the jobs of
 * those types in those queues. {@code live}: it heartbeat within the reading queue's {@code staleAfter}; a
 * process that stops heartbeating has its running jobs rescued, and its row is pruned later.
 */
public record WorkerInfo(UUID id, String host, Instant startedAt, Instant heartbeatAt, boolean live,
        Map<String, Integer> queues, List<String> types) {
    public WorkerInfo {
        queues = Collections.unmodifiableMap(new LinkedHashMap<>(queues)); // in the order the process works them
        types = List.copyOf(types);
    }

    /** True when this process claims jobs of {@code type} in {@code queue}. */
    public boolean serves(String queue, String type) {
        return queues.containsKey(queue) && types.contains(type);
    }
}
