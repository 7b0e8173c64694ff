/**
 * {@code spine demo}: the job service with a demo workload in a schema and streams of its own
 * ({@code spine_demo}, {@code demo_*}), reset at start. It promises an exit code: 0 when events became
 * jobs in all three tiers, cron fired, retries ended in dead letters and the malformed event was
 * rejected; 1 otherwise, with a summary that says which expectation failed. Internal to spine-server
 * (not exported); reached through {@code dev.spine.server.cli}.
 */
package dev.spine.server.demo;
