package dev.spine.jobs;

/**
 * Counts of one queue at one moment: due now ({@code available}), due later ({@code scheduled}, which
 * includes retries waiting out their backoff), {@code running}, and {@code dead}.
 */
public record QueueStats(String queue, boolean paused, long available, long scheduled, long running, long dead) {}
