package dev.spine.jobs.internal;

import dev.spine.jobs.Job;

/** A claimed job with what the runner needs beyond the handler's view: its timeout and backoff. */
public record RunnableJob(Job job, long timeoutMillis, long backoffMillis, long backoffMaxMillis) {}
