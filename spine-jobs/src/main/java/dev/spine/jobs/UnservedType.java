package dev.spine.jobs;

/**
 * Jobs of one type waiting in one queue that no live worker serves (none works the queue with a handler for
 * the type). They use no attempt and record no error while they wait, and run as soon as a process that serves
 * them starts. {@code waiting} counts them, due or not.
 */
public record UnservedType(String queue, String type, long waiting) {}
