package dev.spine.service;

import dev.spine.jobs.JobHandler;
import java.util.concurrent.atomic.AtomicInteger;

/** A handler plug-in found by ServiceLoader (listed in the test resources' META-INF/services). */
public final class PluginHandler implements JobHandlerProvider {
    static final AtomicInteger RUNS = new AtomicInteger();

    @Override
    public String jobType() {
        return "WriteEntityJob";
    }

    @Override
    public JobHandler create(HandlerContext context) {
        if (context.publisher() == null || context.metrics() == null) {
            throw new IllegalStateException("the context must carry the publisher and the metrics");
        }
        return job -> RUNS.incrementAndGet();
    }
}
