package dev.spine.jobs;

import java.util.UUID;

/** The outcome of enqueueing one job: its id, and whether this call created it (false: the key existed). */
public record Enqueued(UUID id, boolean created) {}
