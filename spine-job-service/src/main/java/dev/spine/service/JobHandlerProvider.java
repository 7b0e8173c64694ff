package dev.spine.service;

import dev.spine.jobs.JobHandler;

/**
 * A plug-in that contributes a job handler to the job service, discovered with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/dev.spine.service.JobHandlerProvider}). The service wraps each
 * handler in a circuit breaker of its job type.
 */
public interface JobHandlerProvider {
    /** The job type handled, e.g. {@code IndexDocumentJob}. */
    String jobType();

    /** Creates the handler once, at start; {@code context} gives the publisher for follow-up events. */
    JobHandler create(HandlerContext context);
}
