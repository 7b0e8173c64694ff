package dev.spine.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventPublisher;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobHandler;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's handlers and what they saw: each job type counts its runs; incoming connector data is
 * "processed" into a follow-up data.EntityCreated event (the chain event -> job -> event -> job); the fax
 * line is down, so SendFaxJob always fails and shows retries and a dead letter.
 */
final class DemoWorkload {
    static final String SOURCE = "spine-demo";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    final AtomicInteger faxAttempts = new AtomicInteger();
    final Latencies realtimeLatency = new Latencies();
    private final AtomicReference<EventPublisher> publisher = new AtomicReference<>();

    void publisher(EventPublisher p) {
        publisher.set(p);
    }

    int runs(String jobType) {
        return runs.getOrDefault(jobType, new AtomicInteger()).get();
    }

    Map<String, JobHandler> handlers() {
        return Map.of(
                "ProcessIncomingDataJob", job -> {
                    JsonNode event = JSON.readTree(job.payloadJson());
                    ObjectNode entity = JsonNodeFactory.instance.objectNode()
                            .put("entityId", "reading-" + event.path("data").path("n").asInt())
                            .set("reading", event.path("data"));
                    publisher.get().publish(EventEnvelope.builder().eventType("data.EntityCreated").source(SOURCE)
                            .correlationId(java.util.UUID.fromString(event.get("correlationId").asText()))
                            .causationId(java.util.UUID.fromString(event.get("eventId").asText()))
                            .data(entity).build());
                    count(job);
                },
                "IndexDocumentJob", this::count,
                "RunRuleEngineJob", job -> {
                    JsonNode event = JSON.readTree(job.payloadJson());
                    realtimeLatency.add(Instant.now().toEpochMilli() - Instant.parse(event.get("timestamp").asText())
                            .toEpochMilli());
                    count(job);
                },
                "ExecuteLLMQueryJob", job -> {
                    Thread.sleep(20); // a model call takes a while; the interactive tier absorbs it
                    count(job);
                },
                "SendFaxJob", job -> {
                    faxAttempts.incrementAndGet();
                    throw new IllegalStateException("fax line busy (attempt " + job.attempt() + ")");
                },
                "SyncConnectorDataJob", this::count);
    }

    private void count(Job job) {
        runs.computeIfAbsent(job.type(), t -> new AtomicInteger()).incrementAndGet();
    }

    /** Millisecond latencies, for the summary. */
    static final class Latencies {
        private final java.util.List<Long> samples = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        void add(long millis) {
            samples.add(millis);
        }

        void clear() {
            samples.clear();
        }

        long percentile(double p) {
            synchronized (samples) {
                if (samples.isEmpty()) {
                    return -1;
                }
                java.util.List<Long> sorted = new java.util.ArrayList<>(samples);
                java.util.Collections.sort(sorted);
                return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
            }
        }
    }
}
