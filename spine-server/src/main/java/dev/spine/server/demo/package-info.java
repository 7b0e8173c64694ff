/**
 * {@code spine demo}: the job service with a demo workload in a schema and streams of its own
 * ({@code spine_demo}, {@code demo_*}), reset at start, and two worker processes (JVMs started by the demo, with
 * disjoint job types; inside the demo's process on the in-memory backend) that stop with it. It promises an exit
 * code: 0 when events became jobs in all three tiers, each job ran in the process that serves its type, cron
 * fired, retries ended in dead letters, the job type nobody serves waited unserved (attempt 0, not dead) and the
 * malformed event was rejected; 1 otherwise, with a summary that says which expectation failed. Internal to
 * spine-server (not exported); reached through {@code dev.spine.server.cli}.
 */
package dev.spine.server.demo;
