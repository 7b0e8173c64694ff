package dev.spine.server.http;

import dev.spine.jobs.Enqueued;
import dev.spine.jobs.ScheduleInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of cron schedules, shared by {@code /v1/schedules} and {@code spine schedules --json} so both
 * print the same document.
 */
public final class ScheduleViews {
    private ScheduleViews() {}

    /** {@code {"items": [schedules]}}. */
    public static Map<String, Object> list(List<ScheduleInfo> schedules) {
        return Map.of("items", schedules.stream().map(ScheduleViews::schedule).toList());
    }

    public static Map<String, Object> schedule(ScheduleInfo s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("cron", s.cron());
        m.put("zone", s.zone());
        m.put("jobType", s.jobType());
        m.put("queue", s.queue());
        m.put("paused", s.paused());
        m.put("nextFire", text(s.nextFire()));
        m.put("lastFire", text(s.lastFire()));
        m.put("lastJobId", s.lastJobId() == null ? null : s.lastJobId().toString());
        m.put("lastJobState", s.lastJobState());
        m.put("definedAt", text(s.definedAt()));
        return m;
    }

    /** What a trigger did: the job it made, or (a repeated request key) the job the first request made. */
    public static Map<String, Object> triggered(String schedule, Enqueued e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schedule", schedule);
        m.put("jobId", e.id().toString());
        m.put("created", e.created());
        return m;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
