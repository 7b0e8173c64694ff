package dev.spine.jobs;

/**
 * A handler that receives its job's payload as the class of its {@link JobType}; register it with
 * {@link JobQueueBuilder#handler(JobType, TypedJobHandler)}. Same contract as {@link JobHandler}: return to
 * complete, throw to fail the attempt, let interrupts through, be idempotent. A payload that does not read as
 * the class fails the attempt with {@code INVALID_FIELD} on {@code payload}.
 */
@FunctionalInterface
public interface TypedJobHandler<T> {
    void handle(T payload, Job job) throws Exception;
}
