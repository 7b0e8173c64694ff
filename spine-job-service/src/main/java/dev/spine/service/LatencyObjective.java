package dev.spine.service;

import java.time.Duration;

/**
 * One tier's start-latency objective: the p99 of its jobs' wait (due time to start, over the wait timer's
 * recent window) against the tier's target, and whether it is met.
 */
public record LatencyObjective(String queue, Duration target, double p99Seconds, boolean met) {}
