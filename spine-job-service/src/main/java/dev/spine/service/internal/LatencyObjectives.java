package dev.spine.service.internal;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.spine.contracts.JobTier;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobHandler;
import dev.spine.service.LatencyObjective;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-tier start-latency objectives (realtime p99 under 100 ms, interactive under 5 s), measured where the
 * promise is made: from the event's publish (its envelope's timestamp) or, for a job enqueued directly, from
 * its enqueue, to its handler's start; the ingest hop counts, not only due time to start (spine-jobs' wait
 * timer). Each handler of the service is wrapped ({@link #timed}) to record {@code spine.jobs.start_latency.<queue>}
 * (a timer) for the tiers with a target. Exposed as gauges {@code spine.jobs.slo_met.<queue>} (1 met, 0
 * breached) and {@code spine.jobs.slo_p99_seconds.<queue>}, and in {@code /health/ready}'s details
 * (informative: a breached objective does not make the instance unready).
 */
public final class LatencyObjectives {
    /** Timer of publish (or enqueue) to handler start, per queue of a tier with a latency target. */
    public static final String START_LATENCY = "spine.jobs.start_latency.";
    /**
     * An event older than this when its job was enqueued (a replay, a backdated import, a publisher's clock far
     * behind) is timed from its enqueue: its age says nothing about how the tiers keep their promise.
     */
    static final Duration MAX_EVENT_AGE_AT_ENQUEUE = Duration.ofMinutes(1);
    private static final String TIMESTAMP_FIELD = "\"timestamp\":\"";

    private final MetricRegistry registry;
    private final Clock clock;
    /** The timer of each queue with a latency target, looked up once (every job start reads this map). */
    private final Map<String, Timer> timers = new java.util.HashMap<>();

    public LatencyObjectives(MetricRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (JobTier tier : JobTier.values()) {
            if (tier.hasLatencyTarget()) {
                String q = tier.queueName();
                timers.put(q, registry.timer(START_LATENCY + q));
                registry.gauge("spine.jobs.slo_met." + q, () -> (Gauge<Integer>) () -> objective(tier).met() ? 1 : 0);
                registry.gauge("spine.jobs.slo_p99_seconds." + q, () -> (Gauge<Double>) () -> objective(tier).p99Seconds());
            }
        }
    }

    /** {@code handler}, timing each start of a job of a tier with a latency target before running it. */
    public JobHandler timed(JobHandler handler) {
        return job -> {
            Timer t = timers.get(job.queue());
            if (t != null) {
                long nanos = Duration.between(origin(job), clock.instant()).toNanos();
                t.update(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            }
            handler.handle(job);
        };
    }

    /**
     * Where the promise starts: the event's publish when the job came from one (its payload is the envelope,
     * whose timestamp the publisher set), else the job's enqueue.
     */
    static Instant origin(Job job) {
        Instant enqueued = job.createdAt();
        String key = job.idempotencyKey();
        if (key == null || !key.endsWith(":" + job.type())) {
            return enqueued; // not made from an event (those are keyed <eventId>:<jobType>)
        }
        String payload = job.payloadJson();
        int at = payload == null ? -1 : payload.indexOf(TIMESTAMP_FIELD);
        if (at < 0) {
            return enqueued;
        }
        int from = at + TIMESTAMP_FIELD.length();
        int to = payload.indexOf('"', from);
        try {
            Instant published = Instant.parse(payload.substring(from, Math.max(from, to)));
            Duration age = Duration.between(published, enqueued);
            return age.isNegative() || age.compareTo(MAX_EVENT_AGE_AT_ENQUEUE) > 0 ? enqueued : published;
        } catch (DateTimeParseException e) {
            return enqueued; // not an envelope's timestamp: a job payload of its own
        }
    }

    public Map<String, LatencyObjective> all() {
        Map<String, LatencyObjective> out = new LinkedHashMap<>();
        for (JobTier tier : JobTier.values()) {
            if (tier.hasLatencyTarget()) {
                out.put(tier.queueName(), objective(tier));
            }
        }
        return out;
    }

    private LatencyObjective objective(JobTier tier) {
        Timer t = registry.getTimers().get(START_LATENCY + tier.queueName());
        double p99 = t == null || t.getCount() == 0 ? 0 : t.getSnapshot().get99thPercentile() / 1e9;
        return new LatencyObjective(tier.queueName(), tier.latencyTarget(), p99, p99 * 1e9 < tier.latencyTarget().toNanos());
    }
}
