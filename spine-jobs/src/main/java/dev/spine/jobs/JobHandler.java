package dev.spine.jobs;

/**
 * Runs jobs of one type. Returning normally completes the job; throwing fails this attempt (retried with
 * backoff until the job's max attempts, then dead-lettered with every attempt's error). The thread is
 * interrupted when the job's timeout passes: handlers should let {@link InterruptedException} propagate.
 * A job can run more than once (after a crash), so a handler must be idempotent.
 */
@FunctionalInterface
public interface JobHandler {
    void handle(Job job) throws Exception;
}
