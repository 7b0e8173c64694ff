package dev.spine.events.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The spine's Dropwizard metrics. Without a registry the counters still count (cheap LongAdders, useful
 * for tests) but no timers exist, so latency recording costs nothing.
 */
public final class EventMetrics {
    public static final String PREFIX = "spine.events";

    public final Counter published;
    public final Counter publishFailed;
    public final Counter delivered;
    public final Counter failed;
    public final Counter redelivered;
    public final Counter deadLettered;
    private final Timer publishLatency;
    private final Timer handlerLatency;

    public EventMetrics(MetricRegistry registry) {
        MetricRegistry r = registry == null ? new MetricRegistry() : registry;
        published = r.counter(MetricRegistry.name(PREFIX, "published"));
        publishFailed = r.counter(MetricRegistry.name(PREFIX, "publish_failed"));
        delivered = r.counter(MetricRegistry.name(PREFIX, "delivered"));
        failed = r.counter(MetricRegistry.name(PREFIX, "failed"));
        redelivered = r.counter(MetricRegistry.name(PREFIX, "redelivered"));
        deadLettered = r.counter(MetricRegistry.name(PREFIX, "dead_lettered"));
        publishLatency = registry == null ? null : r.timer(MetricRegistry.name(PREFIX, "publish", "latency"));
        handlerLatency = registry == null ? null : r.timer(MetricRegistry.name(PREFIX, "handler", "latency"));
    }

    public void publishTook(long nanos) {
        if (publishLatency != null) {
            publishLatency.update(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void handlerTook(long nanos) {
        if (handlerLatency != null) {
            handlerLatency.update(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
