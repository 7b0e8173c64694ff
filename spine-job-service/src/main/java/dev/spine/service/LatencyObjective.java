package dev.spine.service;

import java.time.Duration;

/**
 * One tier's start-latency objective: the p99 of its jobs' start latency (from the event's publish, or the
 * job's enqueue when it came from no event, to its handler's start, over the timer's recent window) against
 * the tier's target, and whether it is met.
 */
public record LatencyObjective(String queue, Duration target, double p99Seconds, boolean met) {}
