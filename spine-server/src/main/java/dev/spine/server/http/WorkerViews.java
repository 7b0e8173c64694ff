package dev.spine.server.http;

import dev.spine.jobs.UnservedType;
import dev.spine.jobs.WorkerInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of the worker registry, shared by {@code GET /v1/workers} and {@code spine workers --json}
 * so both print the same document.
 */
public final class WorkerViews {
    private WorkerViews() {}

    /** {@code {"items": [workers], "unserved": [types]}}. */
    public static Map<String, Object> registry(List<WorkerInfo> workers, List<UnservedType> unserved) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", workers.stream().map(WorkerViews::worker).toList());
        m.put("unserved", unserved(unserved));
        return m;
    }

    public static List<Map<String, Object>> unserved(List<UnservedType> unserved) {
        return unserved.stream().map(WorkerViews::unserved).toList();
    }

    static Map<String, Object> worker(WorkerInfo w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id().toString());
        m.put("host", w.host());
        m.put("live", w.live());
        m.put("startedAt", w.startedAt().toString());
        m.put("heartbeatAt", w.heartbeatAt().toString());
        m.put("queues", w.queues()); // queue -> handler threads (concurrency)
        m.put("types", w.types());
        return m;
    }

    static Map<String, Object> unserved(UnservedType u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", u.queue());
        m.put("type", u.type());
        m.put("waiting", u.waiting());
        return m;
    }
}
