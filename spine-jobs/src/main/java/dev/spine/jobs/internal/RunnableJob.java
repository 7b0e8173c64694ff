package dev.spine.jobs.internal;

import dev.spine.jobs.Job;

/**
 * A claimed job with what the runner needs beyond the handler's view: its timeout and backoff, and where its
 * row lay when claimed ({@code row}, a ctid, or null when unknown) so that completing it needs no index lookup.
 */
public record RunnableJob(Job job, String row, long timeoutMillis, long backoffMillis, long backoffMaxMillis) {}
