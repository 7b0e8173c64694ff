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
 * The demo's handlers and what they saw in one process: each job type counts its runs; incoming connector data
 * is "processed" into a follow-up data.EntityCreated event (the chain event -> job -> event -> job); the fax
 * line is down, so SendFaxJob always fails and shows retries and a dead letter. Each demo process (the job
 * service, each worker) has its own workload with the handlers of its own job types only.
 */
final class DemoWorkload {
    static final String SOURCE = "spine-demo";
    /** Set in the data of the events sent at a steady rate, whose event-to-handler latency the summary shows. */
    static final String STEADY = "steady";
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

    /** The handlers of {@code types} (each must be one of the demo's). */
    Map<String, JobHandler> handlers(java.util.Collection<String> types) {
        Map<String, JobHandler> all = handlers();
        Map<String, JobHandler> chosen = new java.util.TreeMap<>();
        for (String type : types) {
            JobHandler h = all.get(type);
            if (h == null) {
                throw new IllegalArgumentException("the demo has no handler for job type " + type + ": one of "
                        + new java.util.TreeSet<>(all.keySet()));
            }
            chosen.put(type, h);
        }
        return chosen;
    }

    private Map<String, JobHandler> handlers() {
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
                    if (event.path("data").path(STEADY).asBoolean()) { // the burst's queueing is not latency
                        realtimeLatency.add(Instant.now().toEpochMilli() - Instant.parse(event.get("timestamp").asText())
                                .toEpochMilli());
                    }
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

    /** Runs per job type, sorted by type. */
    Map<String, Integer> runCounts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        runs.forEach((type, n) -> counts.put(type, n.get()));
        return counts;
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

        java.util.List<Long> samples() {
            synchronized (samples) {
                return java.util.List.copyOf(samples);
            }
        }

        long percentile(double p) {
            return percentile(samples(), p);
        }

        /** The {@code p} percentile of {@code samples} (milliseconds), or -1 when there are none. */
        static long percentile(java.util.List<Long> samples, double p) {
            if (samples.isEmpty()) {
                return -1;
            }
            java.util.List<Long> sorted = new java.util.ArrayList<>(samples);
            java.util.Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
        }
    }
}
