package dev.spine.service.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublisher;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobListener;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code job.Enqueued}, {@code job.Completed} and {@code job.Failed} back to the spine with the job's
 * correlationId and trace. Event ids are derived from the job id and the step, so a repeat (a redelivered
 * batch, a re-run) is dropped by JetStream's duplicate window instead of appearing twice.
 */
public final class LifecycleEvents implements JobListener {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleEvents.class);
    static final String SOURCE = "job-service";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventPublisher publisher;

    public LifecycleEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    public void enqueued(UUID jobId, String jobType, String queue, EventEnvelope cause) {
        ObjectNode data = JSON.createObjectNode().put("jobId", jobId.toString()).put("jobType", jobType)
                .put("queue", queue);
        publish(cause.followUp("job.Enqueued").eventId(stableId(jobId, "enqueued")).source(SOURCE).data(data)
                .build());
    }

    @Override
    public void completed(Job job) {
        publish(job, "job.Completed", "completed:" + job.attempt(), data(job));
    }

    @Override
    public void failed(Job job, String error, boolean dead) {
        publish(job, "job.Failed", "failed:" + job.attempt(), data(job).put("error", error).put("dead", dead));
    }

    private void publish(Job job, String type, String step, ObjectNode data) {
        EventEnvelope.Builder b = EventEnvelope.builder().eventType(type).eventId(stableId(job.id(), step))
                .source(SOURCE).data(data);
        if (job.correlationId() != null) {
            b.correlationId(UUID.fromString(job.correlationId()));
        }
        if (job.traceparent() != null) {
            b.traceContext(new dev.spine.contracts.TraceContext(job.traceparent(), job.tracestate()));
        }
        publish(b.build());
    }

    private void publish(EventEnvelope event) {
        publisher.publishAsync(event).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("publishing {} {} failed", event.eventType(), event.eventId(), e);
            }
        });
    }

    private static ObjectNode data(Job job) {
        return JSON.createObjectNode().put("jobId", job.id().toString()).put("jobType", job.type())
                .put("queue", job.queue()).put("attempt", job.attempt());
    }

    static UUID stableId(UUID jobId, String step) {
        return UUID.nameUUIDFromBytes((jobId + ":" + step).getBytes(StandardCharsets.UTF_8));
    }
}
