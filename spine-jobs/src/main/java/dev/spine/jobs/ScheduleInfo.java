package dev.spine.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * A cron schedule as operators see it: its definition (as the process running it last wrote it), whether it
 * is paused, when it fires next, and its last fire (a tick or a trigger) with that job's state
 * ({@code available}, {@code running}, {@code completed}, {@code cancelled}, {@code dead}; null when the job is
 * gone from the archive or nothing fired yet).
 */
public record ScheduleInfo(String name, String cron, String zone, String jobType, String queue, boolean paused,
        Instant nextFire, Instant lastFire, UUID lastJobId, String lastJobState, Instant definedAt) {}
