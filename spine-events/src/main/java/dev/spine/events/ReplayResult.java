package dev.spine.events;

/**
 * What a replay did: events handed to the handler, stored payloads skipped because they are not
 * valid envelopes (each logged with its sequence), and the last stream sequence read (0 if none).
 */
public record ReplayResult(long delivered, long skippedMalformed, long lastSequence) {}
