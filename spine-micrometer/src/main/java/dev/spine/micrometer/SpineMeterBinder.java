package dev.spine.micrometer;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Counting;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Timer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The spine's metrics in a Micrometer {@link MeterRegistry}: every meter of a spine Dropwizard registry
 * ({@code JobQueue.metrics()}, {@code JobService.metrics()}) under the same name, with the queue, job type or other
 * label its Dropwizard name carries as a tag ({@code spine.jobs.queue_depth.background} becomes
 * {@code spine.jobs.queue_depth{queue=background}}, {@code spine.jobs.unserved.background.SendEmail} becomes
 * {@code spine.jobs.unserved{queue=background,type=SendEmail}}), so a Prometheus registry of Micrometer exports
 * the names the job service's own {@code /metrics} does.
 *
 * <p>What maps to what: gauges stay gauges; counters and meters become function counters (counts); timers and
 * histograms become {@code <name>.count} (a function counter) and {@code <name>.quantile} gauges per
 * {@code quantile} tag (0.5, 0.95, 0.99; timers in seconds), read from the Dropwizard reservoir (about the last five
 * minutes). Meters the spine adds later (a queue created after binding, a job type that becomes unserved) are
 * added as they appear, and removed with theirs. Gauges whose value is not a number are left out.
 *
 * <p>The job service keeps its Dropwizard registry as the source (its {@code /metrics} does not change); this
 * binder only reads it, on the Micrometer registry's schedule, so it costs nothing on the path of a job.
 */
public final class SpineMeterBinder implements MeterBinder, AutoCloseable {
    /** The quantiles of timers and histograms, as the job service's {@code /metrics} summaries give them. */
    static final double[] QUANTILES = {0.5, 0.95, 0.99};
    private static final double NANOS_PER_SECOND = 1e9;

    private final MetricRegistry spine;
    private final Map<String, List<io.micrometer.core.instrument.Meter>> bound = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private final MetricRegistryListener listener = new MetricRegistryListener.Base() {
        @Override
        public void onGaugeAdded(String name, com.codahale.metrics.Gauge<?> gauge) {
            MeterName m = MeterName.of(name);
            if (m != null && gauge.getValue() instanceof Number) {
                add(name, Gauge.builder(m.name(), gauge, g -> number(g.getValue())).tags(m.tags()).strongReference(true)
                        .register(registry));
            }
        }

        @Override
        public void onCounterAdded(String name, Counter counter) {
            MeterName m = MeterName.of(name);
            if (m != null) {
                add(name, FunctionCounter.builder(m.name(), counter, Counter::getCount).tags(m.tags()).register(registry));
            }
        }

        @Override
        public void onMeterAdded(String name, Meter meter) {
            MeterName m = MeterName.of(name);
            if (m != null) {
                add(name, FunctionCounter.builder(m.name(), meter, Meter::getCount).tags(m.tags()).register(registry));
            }
        }

        @Override
        public void onTimerAdded(String name, Timer timer) {
            sampled(name, timer, NANOS_PER_SECOND, "seconds");
        }

        @Override
        public void onHistogramAdded(String name, Histogram histogram) {
            sampled(name, histogram, 1, null);
        }

        @Override
        public void onGaugeRemoved(String name) {
            remove(name);
        }

        @Override
        public void onCounterRemoved(String name) {
            remove(name);
        }

        @Override
        public void onMeterRemoved(String name) {
            remove(name);
        }

        @Override
        public void onTimerRemoved(String name) {
            remove(name);
        }

        @Override
        public void onHistogramRemoved(String name) {
            remove(name);
        }
    };

    /** @param spine the registry of a {@code JobQueue} or {@code JobService} (their {@code metrics()}) */
    public SpineMeterBinder(MetricRegistry spine) {
        if (spine == null) {
            throw new IllegalArgumentException("spine: a Dropwizard MetricRegistry is required");
        }
        this.spine = spine;
    }

    /** Adds every meter the spine has now, and from then on each one it adds. Binds to one registry only. */
    @Override
    public synchronized void bindTo(MeterRegistry meterRegistry) {
        if (registry != null) {
            throw new IllegalStateException("already bound to a MeterRegistry");
        }
        registry = meterRegistry;
        spine.addListener(listener); // Dropwizard calls it for every metric it already holds, then for new ones
    }

    /** Stops following the spine's registry and removes the meters this binder added. */
    @Override
    public synchronized void close() {
        spine.removeListener(listener);
        bound.keySet().forEach(this::remove);
    }

    /** A timer's or histogram's count and quantiles; the Dropwizard object is the state (Micrometer keeps it weakly). */
    private <S extends Sampling & Counting> void sampled(String name, S sampling, double divisor, String unit) {
        MeterName m = MeterName.of(name);
        if (m == null) {
            return;
        }
        add(name, FunctionCounter.builder(m.name() + ".count", sampling, Counting::getCount).tags(m.tags())
                .register(registry));
        for (double q : QUANTILES) {
            ToDoubleFunction<Sampling> value = s -> s.getSnapshot().getValue(q) / divisor;
            Gauge.Builder<Sampling> g = Gauge.builder(m.name() + ".quantile", sampling, value)
                    .tags(Tags.concat(m.tags(), "quantile", Double.toString(q))).strongReference(true);
            add(name, (unit == null ? g : g.baseUnit(unit)).register(registry));
        }
    }

    private void add(String spineName, io.micrometer.core.instrument.Meter meter) {
        bound.computeIfAbsent(spineName, k -> new ArrayList<>()).add(meter);
    }

    private void remove(String spineName) {
        List<io.micrometer.core.instrument.Meter> meters = bound.remove(spineName);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
