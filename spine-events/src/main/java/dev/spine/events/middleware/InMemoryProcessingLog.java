package dev.spine.events.middleware;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link ProcessingLog} in this process's memory: for development and the in-memory bus. It forgets
 * everything on restart and is not shared between instances; use {@code PostgresProcessingLog} in
 * production.
 */
public final class InMemoryProcessingLog implements ProcessingLog {
    private final Clock clock;
    /** key → lease end, or {@link Instant#MAX} once done. */
    private final Map<String, Instant> entries = new HashMap<>();

    public InMemoryProcessingLog(Clock clock) {
        this.clock = clock;
    }

    public InMemoryProcessingLog() {
        this(Clock.systemUTC());
    }

    @Override
    public synchronized Claim tryStart(String handler, String key, Duration lease) {
        String k = handler + "\u0000" + key;
        Instant now = clock.instant();
        Instant held = entries.get(k);
        if (held != null) {
            if (held.equals(Instant.MAX)) {
                return Claim.ALREADY_DONE;
            }
            if (held.isAfter(now)) {
                return Claim.IN_PROGRESS;
            }
        }
        entries.put(k, now.plus(lease));
        return Claim.STARTED;
    }

    @Override
    public synchronized void complete(String handler, String key) {
        entries.put(handler + "\u0000" + key, Instant.MAX);
    }

    @Override
    public synchronized void release(String handler, String key) {
        entries.remove(handler + "\u0000" + key);
    }
}
