package dev.spine.service;

/**
 * What a replay of a stream window did: events read, stored payloads that were not valid envelopes,
 * jobs the routes asked for, how many of those were created now (0 on a second replay of the same
 * window), events with no route, and the last stream sequence read.
 */
public record ReplayReport(long events, long malformed, long jobs, long created, long unrouted, long lastSequence) {}
