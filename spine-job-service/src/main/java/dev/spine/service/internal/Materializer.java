package dev.spine.service.internal;

import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.TraceContext;
import io.opentelemetry.api.trace.Span;
import dev.spine.jobs.Enqueued;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.service.Route;
import dev.spine.service.RoutingTable;
import dev.spine.events.Delivery;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Turns one micro-batch of events into jobs: every job of the batch with ONE statement (and, when some
 * events are malformed, their rejections in the same transaction); the events are acknowledged only after
 * it committed. Each job carries the idempotency key
 * {@code <eventId>:<jobType>}, so a redelivery after a crash between commit and ack inserts nothing:
 * every event yields exactly one job per route. Malformed or invalid events are recorded with their raw
 * bytes and terminated; events with no route are acknowledged and counted.
 */
public final class Materializer {
    /** Called between commit and ack; a test seam to prove a crash there loses and duplicates nothing. */
    public interface CommitHook {
        void afterCommit(List<Delivery> batch);
    }

    private final DataSource dataSource;
    private final JobQueue jobs;
    private final EventCodec codec;
    private final RoutingTable routes;
    private final RejectedEvents rejected;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final IngestTracing tracing;
    /** Adapts legacy event shapes; null: they are rejected like any invalid event. */
    private final EnvelopeAdapter adapter;
    private volatile CommitHook hook = batch -> { };
    /**
     * A priority lane's routes (see {@link #lane}), or null: every route, and malformed events recorded as
     * rejected. A lane records no rejection: the main consumer sees every event and records it once.
     */
    private volatile Predicate<Route> lane;
    /** The routes priority lanes make jobs of (see {@link #lanesOwn}), or null: this consumer makes every route. */
    private volatile Predicate<Route> lanesOwn;
    /** The last stream sequence stored before the lanes' consumers existed: events up to it are still ours. */
    private volatile long lanesOwnAfter = Long.MAX_VALUE;
    /** Per route, its job options as a request (routes are immutable values, so they key it well). */
    private final Map<Route, JobRequest> templates = new java.util.concurrent.ConcurrentHashMap<>();

    public Materializer(DataSource dataSource, JobQueue jobs, EventCodec codec, RoutingTable routes,
            RejectedEvents rejected, IngestMetrics metrics, Clock clock, IngestTracing tracing, EnvelopeAdapter adapter) {
        this.tracing = tracing;
        this.adapter = adapter;
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

    /**
     * Makes this a priority lane's materializer: only the routes {@code only} accepts become jobs (the main
     * consumer, which sees every event, makes them too: the idempotency key keeps one job, whichever commits
     * first), and malformed events are refused for this lane without being recorded (the main one records them).
     */
    public Materializer lane(Predicate<Route> only) {
        this.lane = only;
        return this;
    }

    /**
     * Tells the main consumer's materializer that priority lanes make the jobs of {@code owned} routes for the
     * events stored after sequence {@code after} (read once the lanes' consumers existed, so the lanes receive
     * every later event); the events up to it, which the lanes may never see, still get them here (a job both
     * make is one job: the idempotency key).
     */
    public void lanesOwn(Predicate<Route> owned, long after) {
        this.lanesOwnAfter = after;
        this.lanesOwn = owned;
    }

    /** What a batch became: per job its request, the event it came from, and whether it was created now. */
    public record Result(List<JobRequest> requests, List<EventEnvelope> causes, List<Enqueued> jobs, int events,
            int unrouted, int rejected) {
        public long created() {
            return jobs.stream().filter(Enqueued::created).count();
        }
    }

    /**
     * Where an event came from, enough to record it as rejected: a delivery (its stream position and headers
     * are read only if it is rejected: parsing them for every event was a visible share of the ingest cost)
     * or an event read back by replay.
     */
    static final class Origin {
        private final Delivery message;
        private final String replayStream;
        private final String replaySubject;
        private final byte[] replayRaw;

        private Origin(Delivery message, String replayStream, String replaySubject, byte[] replayRaw) {
            this.message = message;
            this.replayStream = replayStream;
            this.replaySubject = replaySubject;
            this.replayRaw = replayRaw;
        }

        static Origin delivered(Delivery m) {
            return new Origin(m, null, null, null);
        }

        static Origin replayed(String stream, String subject, byte[] raw) {
            return new Origin(null, stream, subject, raw);
        }

        String stream() {
            return message == null ? replayStream : message.stream();
        }

        long sequence() {
            return message == null ? 0 : message.sequence();
        }

        String subject() {
            return message == null ? replaySubject : message.subject();
        }

        Map<String, String> headers() {
            return message == null ? Map.of() : message.headers();
        }

        byte[] raw() {
            return message == null ? replayRaw : message.data() == null ? new byte[0] : message.data();
        }
    }

    /** The jobs planned for a batch before the transaction. */
    private final class Plan {
        final List<JobRequest> requests = new ArrayList<>();
        final List<EventEnvelope> causes = new ArrayList<>();
        final List<Origin> owners = new ArrayList<>();
        final List<RejectedEvents.Rejection> rejections = new ArrayList<>();
        final Set<Origin> refused = new LinkedHashSet<>();
        final List<Span> spans = new ArrayList<>();
        int unrouted;

        /** {@code only}: the routes this consumer makes jobs of here (null: all); {@code newSpan}: null when not tracing. */
        void route(EventEnvelope event, String payload, Origin origin, Predicate<Route> only, Supplier<Span> newSpan) {
            List<Route> matched = routes.match(event.eventType());
            if (only != null && !matched.isEmpty()) {
                matched = matched.stream().filter(only).toList();
                if (matched.isEmpty()) {
                    return; // another consumer's jobs: no span, not counted as unrouted
                }
            }
            Span span = newSpan == null ? null : newSpan.get();
            if (span != null) {
                spans.add(span);
                span.setAttribute("spine.jobs", matched.size());
            }
            if (matched.isEmpty()) {
                unrouted++;
                return;
            }
            for (Route r : matched) {
                TraceContext trace = event.traceContext();
                if (span != null) {
                    Span enqueue = tracing.startEnqueue(span, r.queue(), r.jobType());
                    spans.add(enqueue);
                    trace = IngestTracing.contextOf(enqueue);
                }
                requests.add(request(r, event, payload, trace));
                causes.add(event);
                owners.add(origin);
            }
        }

        void reject(Origin o, String code, String field, String reason) {
            rejections.add(new RejectedEvents.Rejection(o.stream(), o.sequence(), o.subject(), o.headers(), o.raw(),
                    code, field, reason));
            refused.add(o);
        }
    }

    /**
     * Materialises, commits, then acks (and terms the rejected). Throws on a database failure, leaving every
     * message unacknowledged for the caller to hand back.
     */
    public Result process(List<Delivery> batch) throws SQLException {
        Plan plan = new Plan();
        List<Origin> origins = new ArrayList<>(batch.size());
        List<java.time.Instant> stamps = new ArrayList<>(batch.size());
        for (Delivery m : batch) {
            Origin o = Origin.delivered(m);
            origins.add(o);
            try {
                EnvelopeAdapter.Decoded d = adapter == null ? new EnvelopeAdapter.Decoded(codec.decode(m.data()), null)
                        : adapter.decode(codec, m.data()); // a canonical body is decoded once, by the codec
                EventEnvelope event = d.event();
                String json;
                if (d.shape() == null) {
                    json = new String(m.data(), StandardCharsets.UTF_8);
                } else {
                    json = new String(codec.encode(event), StandardCharsets.UTF_8); // the original body kept inside
                    metrics.adapted(d.shape());
                }
                stamps.add(event.timestamp());
                plan.route(event, json, o, routesHere(m), tracing.enabled() ? () -> tracing.start(m, event) : null);
            } catch (InvalidEventException e) {
                plan.reject(o, e.code().name(), e.field(), e.getMessage());
            }
        }
        Result result = commit(plan, batch.size());
        java.time.Instant now = clock.instant();
        metrics.delivered(batch.size(), stamps.stream().map(t -> java.time.Duration.between(t, now)).toList());
        hook.afterCommit(batch);
        for (int i = 0; i < batch.size(); i++) {
            if (plan.refused.contains(origins.get(i))) {
                batch.get(i).term("rejected: recorded in the rejected events");
            } else {
                batch.get(i).ack();
            }
        }
        return result;
    }

    /**
     * Materialises events read back from the stream (operator replay): the same routes and keys, so events
     * that already have their jobs create nothing. Nothing is acknowledged: replay reads, it does not consume.
     */
    public Result replay(List<EventEnvelope> events, String stream) throws SQLException {
        Plan plan = new Plan();
        for (EventEnvelope e : events) {
            byte[] raw = codec.encode(e);
            plan.route(e, new String(raw, StandardCharsets.UTF_8), Origin.replayed(stream, e.eventType(), raw), null,
                    tracing.enabled() ? () -> tracing.start(null, e) : null);
        }
        return commit(plan, events.size());
    }

    /** The routes a delivered event gets its jobs of from this consumer (null: all of them). */
    private Predicate<Route> routesHere(Delivery m) {
        if (lane != null) {
            return lane;
        }
        Predicate<Route> owned = lanesOwn;
        return owned != null && m.sequence() > lanesOwnAfter ? owned.negate() : null;
    }

    private Result commit(Plan plan, int events) throws SQLException {
        List<Enqueued> created;
        boolean ownTransaction = false;
        try {
            if (plan.rejections.isEmpty() || lane != null) {
                // the common case: one statement inserts every job and commits in the same round trip; the
                // queue then hands due jobs to this process's idle workers and wakes the others itself
                created = insertSkippingInvalid(plan, jobs::enqueueAllDetailed);
                // a job refused on the way is recorded in a commit of its own, still before any ack
                if (!plan.rejections.isEmpty() && lane == null) {
                    try (Connection c = dataSource.getConnection()) {
                        c.setAutoCommit(true);
                        rejected.insert(c, plan.rejections, clock.instant());
                    }
                }
            } else {
                try (Connection c = dataSource.getConnection()) {
                    created = inOneTransaction(c, plan);
                }
                ownTransaction = true;
            }
        } catch (SQLException | RuntimeException e) {
            IngestTracing.end(plan.spans, e);
            throw e;
        }
        IngestTracing.end(plan.spans, null);
        if (ownTransaction) {
            Set<String> queues = new LinkedHashSet<>();
            plan.requests.forEach(r -> queues.add(r.queue()));
            queues.forEach(jobs::wake);
        }
        Result result = new Result(plan.requests, plan.causes, created, events, plan.unrouted, plan.rejections.size());
        metrics.batch(events, (int) result.created(), plan.unrouted, plan.rejections.size());
        return result;
    }

    /** Jobs and rejections of the batch in one transaction. */
    private List<Enqueued> inOneTransaction(Connection c, Plan plan) throws SQLException {
        c.setAutoCommit(false);
        try {
            List<Enqueued> created = insertSkippingInvalid(plan, requests -> jobs.enqueueAllDetailed(c, requests));
            rejected.insert(c, plan.rejections, clock.instant());
            c.commit();
            return created;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Inserts the jobs; a job the queue refuses (say its payload holds a NUL character) rejects its event,
     * and the rest is inserted without it. Validation happens before any write, so retrying is cheap.
     */
    private List<Enqueued> insertSkippingInvalid(Plan plan, JobInsert insert) throws SQLException {
        while (!plan.requests.isEmpty()) {
            try {
                return insert.apply(plan.requests);
            } catch (InvalidJobException e) {
                Origin bad = plan.owners.get(Math.max(e.batchIndex(), 0));
                plan.reject(bad, "INVALID_JOB", e.field(), e.getMessage());
                for (int i = plan.requests.size() - 1; i >= 0; i--) {
                    if (plan.owners.get(i) == bad) {
                        plan.requests.remove(i);
                        plan.causes.remove(i);
                        plan.owners.remove(i);
                    }
                }
            }
        }
        return List.of();
    }

    /** Inserts the plan's jobs: committed at once, or in the caller's transaction. */
    private interface JobInsert {
        List<Enqueued> apply(List<JobRequest> requests) throws SQLException;
    }

    private JobRequest request(Route r, EventEnvelope event, String payload, TraceContext trace) {
        // the route's options are copied once per route, then each event's job adds only what is its own
        JobRequest req = templates.computeIfAbsent(r, Materializer::template).withParsedJson(payload)
                .idempotencyKey(event.eventId() + ":" + r.jobType())
                .correlationId(event.correlationId().toString());
        if (trace != null) {
            req = req.traceContext(trace.traceparent(), trace.tracestate());
        }
        return req;
    }

    /** A route's job options; its payload is replaced by each event's (already decoded, so not parsed again). */
    private static JobRequest template(Route r) {
        return JobRequest.json(r.jobType(), "{}").queue(r.queue()).priority(r.priority())
                .maxAttempts(r.maxAttempts()).timeout(r.timeout()).backoff(r.backoff());
    }
}
