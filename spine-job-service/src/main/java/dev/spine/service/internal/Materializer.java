package dev.spine.service.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.service.Route;
import dev.spine.service.RoutingTable;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Turns one micro-batch of events into jobs: every job of the batch, and every rejection, in ONE
 * transaction; the events are acknowledged only after it committed. Each job carries the idempotency key
 * {@code <eventId>:<jobType>}, so a redelivery after a crash between commit and ack inserts nothing:
 * every event yields exactly one job per route. Malformed or invalid events are recorded with their raw
 * bytes and terminated; events with no route are acknowledged and counted.
 */
public final class Materializer {
    /** Called between commit and ack; a test seam to prove a crash there loses and duplicates nothing. */
    public interface CommitHook {
        void afterCommit(List<Message> batch);
    }

    private final DataSource dataSource;
    private final JobQueue jobs;
    private final EventCodec codec;
    private final RoutingTable routes;
    private final RejectedEvents rejected;
    private final IngestMetrics metrics;
    private final Clock clock;
    private volatile CommitHook hook = batch -> { };

    public Materializer(DataSource dataSource, JobQueue jobs, EventCodec codec, RoutingTable routes,
            RejectedEvents rejected, IngestMetrics metrics, Clock clock) {
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.codec = codec;
        this.routes = routes;
        this.rejected = rejected;
        this.metrics = metrics;
        this.clock = clock;
    }

    public void hook(CommitHook hook) {
        this.hook = hook;
    }

    /** What one batch became, for lifecycle events and tests. */
    public record Result(List<EventEnvelope> events, List<UUID> jobIds, List<JobRequest> requests, int unrouted,
            int rejected) {}

    /**
     * Materialises, commits, then acks (and terms the rejected). Throws on a database failure, leaving every
     * message unacknowledged for the caller to hand back.
     */
    public Result process(List<Message> batch) throws SQLException {
        List<RejectedEvents.Rejection> rejections = new ArrayList<>();
        Set<Message> toTerm = new LinkedHashSet<>();
        Map<Message, EventEnvelope> decoded = new LinkedHashMap<>();
        for (Message m : batch) {
            try {
                decoded.put(m, codec.decode(m.getData()));
            } catch (InvalidEventException e) {
                rejections.add(rejection(m, e.code().name(), e.field(), e.getMessage()));
                toTerm.add(m);
            }
        }
        List<JobRequest> requests = new ArrayList<>();
        List<Message> owners = new ArrayList<>();
        int unrouted = 0;
        for (Map.Entry<Message, EventEnvelope> e : decoded.entrySet()) {
            List<Route> matched = routes.match(e.getValue().eventType());
            if (matched.isEmpty()) {
                unrouted++;
                continue;
            }
            String payload = new String(e.getKey().getData(), StandardCharsets.UTF_8);
            for (Route r : matched) {
                requests.add(request(r, e.getValue(), payload));
                owners.add(e.getKey());
            }
        }
        List<UUID> ids = List.of();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                ids = insertSkippingInvalid(c, requests, owners, rejections, toTerm);
                rejected.insert(c, rejections, clock.instant());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        hook.afterCommit(batch);
        for (Message m : batch) {
            if (toTerm.contains(m)) {
                m.term();
            } else {
                m.ack();
            }
        }
        Set<String> queues = new LinkedHashSet<>();
        requests.forEach(r -> queues.add(r.queue()));
        queues.forEach(jobs::wake);
        metrics.batch(batch.size(), ids.size(), unrouted, rejections.size());
        List<EventEnvelope> events = new ArrayList<>(decoded.values());
        return new Result(events, ids, requests, unrouted, rejections.size());
    }

    /**
     * Inserts the jobs; a job the queue refuses (say its payload holds a NUL character) rejects its event,
     * and the rest is inserted without it. Validation happens before any write, so retrying is cheap.
     */
    private List<UUID> insertSkippingInvalid(Connection c, List<JobRequest> requests, List<Message> owners,
            List<RejectedEvents.Rejection> rejections, Set<Message> toTerm) throws SQLException {
        while (!requests.isEmpty()) {
            try {
                return jobs.enqueueAll(c, requests);
            } catch (InvalidJobException e) {
                int index = Math.max(e.batchIndex(), 0);
                Message bad = owners.get(index);
                rejections.add(rejection(bad, "INVALID_JOB", e.field(), e.getMessage()));
                toTerm.add(bad);
                for (int i = requests.size() - 1; i >= 0; i--) {
                    if (owners.get(i) == bad) {
                        requests.remove(i);
                        owners.remove(i);
                    }
                }
            }
        }
        return List.of();
    }

    private static JobRequest request(Route r, EventEnvelope event, String payload) {
        JobRequest req = JobRequest.json(r.jobType(), payload).queue(r.queue()).priority(r.priority())
                .maxAttempts(r.maxAttempts()).timeout(r.timeout()).backoff(r.backoff())
                .idempotencyKey(event.eventId() + ":" + r.jobType())
                .correlationId(event.correlationId().toString());
        if (event.traceContext() != null) {
            req = req.traceContext(event.traceContext().traceparent(), event.traceContext().tracestate());
        }
        return req;
    }

    private static RejectedEvents.Rejection rejection(Message m, String code, String field, String reason) {
        long seq = m.isJetStream() ? m.metaData().streamSequence() : 0;
        String stream = m.isJetStream() ? m.metaData().getStream() : null;
        return new RejectedEvents.Rejection(stream, seq, m.getSubject(), headers(m.getHeaders()),
                m.getData() == null ? new byte[0] : m.getData(), code, field, reason);
    }

    private static Map<String, String> headers(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        if (headers != null) {
            for (String key : headers.keySet()) {
                out.put(key, String.join(",", headers.get(key)));
            }
        }
        return out;
    }
}
