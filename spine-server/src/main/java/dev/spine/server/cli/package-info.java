/**
 * The {@code spine} command line (picocli): {@code serve} runs the job service; {@code publish},
 * {@code tail}, {@code streams}, {@code queues}, {@code jobs}, {@code dlq} and {@code replay} talk to
 * PostgreSQL and NATS directly, so they work without a running server. Each command reads the
 * {@code SPINE_*} variables (overridable by options), prints failures as {@code CODE field: message} on
 * stderr, and exits 0 (done), 1 (failed), 2 (invalid input) or 7 (not found).
 */
package dev.spine.server.cli;
