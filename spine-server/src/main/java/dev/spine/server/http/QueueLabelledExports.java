package dev.spine.server.http;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.InvalidMetricHandler;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Dropwizard registry as Prometheus metrics, with the queue moved from the metric name into a label:
 * {@code spine.jobs.queue_depth.background} becomes {@code spine_jobs_queue_depth{queue="background"}},
 * likewise {@code scheduled}, {@code running}, {@code slo_met}, {@code slo_p99_seconds} and
 * {@code dead_letters}, exported as {@code spine_jobs_dead{queue}} (dead jobs now in the table)
 * (gauges) and {@code wait}, {@code run}
 * (timers, as {@code spine_jobs_wait_seconds} / {@code spine_jobs_run_seconds} summaries). The refused
 * requests of {@link dev.spine.gateway.http.BearerAuth} get the same treatment with a realm label:
 * {@code spine.http.auth_failures.read} becomes {@code spine_http_auth_failures_total{realm="read"}}. Everything
 * else goes through the bridge unchanged ({@code spine.jobs.enqueued} -> {@code spine_jobs_enqueued_total}).
 *
 * <p>Why not one {@link DropwizardExports} with a {@link CustomLabelMapper}: in client_java 1.4.3 the
 * bridge emits one snapshot per Dropwizard metric, so two queues mapped to one name fail the scrape with
 * "duplicate metric name". Here each queue gets its own bridge (the mapper then yields one snapshot per
 * family), and the per-queue snapshots of a family are merged into one with a data point per queue.
 */
final class QueueLabelledExports implements MultiCollector {
    static final String PREFIX = "spine.jobs.";
    /** Dropwizard family (after {@link #PREFIX}) -> Prometheus name. */
    static final Map<String, String> FAMILIES = families();
    /** The counters of refused requests, one per realm, and their Prometheus name. */
    static final String AUTH_FAILURES = dev.spine.gateway.http.BearerAuth.FAILURES_METRIC;
    static final String AUTH_FAILURES_NAME = "spine_http_auth_failures";

    private static final CustomLabelMapper MAPPER = new CustomLabelMapper(mappers());
    private static final Logger LOG = LoggerFactory.getLogger(QueueLabelledExports.class);
    private final MetricRegistry registry;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    QueueLabelledExports(MetricRegistry registry) {
        this.registry = registry;
    }

    private static Map<String, String> families() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("queue_depth", "spine_jobs_queue_depth");
        m.put("scheduled", "spine_jobs_scheduled");
        m.put("running", "spine_jobs_running");
        m.put("dead_letters", "spine_jobs_dead");
        m.put("wait", "spine_jobs_wait_seconds");
        m.put("run", "spine_jobs_run_seconds");
        m.put("slo_met", "spine_jobs_slo_met");
        m.put("slo_p99_seconds", "spine_jobs_slo_p99_seconds");
        return m;
    }

    private static List<MapperConfig> mappers() {
        List<MapperConfig> configs = new ArrayList<>();
        FAMILIES.forEach((family, name) -> configs.add(new MapperConfig(PREFIX + family + ".*", name,
                Map.of("queue", "${0}"))));
        configs.add(new MapperConfig(AUTH_FAILURES + "*", AUTH_FAILURES_NAME, Map.of("realm", "${0}")));
        return configs;
    }

    /** The queue (or realm) a per-queue (per-realm) metric name carries, or {@code null} for any other metric. */
    static String queueOf(String name) {
        if (name.startsWith(AUTH_FAILURES)) {
            String realm = name.substring(AUTH_FAILURES.length());
            return realm.isEmpty() || realm.contains(".") ? null : realm;
        }
        if (!name.startsWith(PREFIX)) {
            return null;
        }
        String rest = name.substring(PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot < 0 || !FAMILIES.containsKey(rest.substring(0, dot))) {
            return null;
        }
        String queue = rest.substring(dot + 1);
        return queue.isEmpty() || queue.contains(".") ? null : queue;
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        // the one-label counter families, the unserved gauges (two labels) and the consumer lag are exported by
        // their own collectors
        bridge((name, metric) -> queueOf(name) == null && !LabelledCounterExports.covers(name)
                && !name.startsWith(UnservedExports.PREFIX) && !ConsumerLagExports.covers(name), null)
                .forEach(out::metricSnapshot);
        Set<String> queues = new TreeSet<>();
        registry.getNames().forEach(n -> {
            String q = queueOf(n);
            if (q != null) {
                queues.add(q);
            }
        });
        Map<String, List<MetricSnapshot>> byName = new LinkedHashMap<>();
        for (String queue : queues) {
            MetricFilter ofQueue = (name, metric) -> queue.equals(queueOf(name));
            for (MetricSnapshot s : bridge(ofQueue, MAPPER)) {
                byName.computeIfAbsent(s.getMetadata().getPrometheusName(), k -> new ArrayList<>()).add(s);
            }
        }
        byName.values().forEach(list -> out.metricSnapshot(merge(list)));
        return out.build();
    }

    /**
     * One pass of the bridge over the metrics {@code filter} selects. Registered in a registry of its own
     * because only the builder takes an {@link InvalidMetricHandler}: a gauge that throws is left out
     * (and logged once) instead of failing the whole scrape.
     */
    private MetricSnapshots bridge(MetricFilter filter, CustomLabelMapper mapper) {
        PrometheusRegistry once = new PrometheusRegistry();
        DropwizardExports.Builder b = DropwizardExports.builder().dropwizardRegistry(registry).metricFilter(filter)
                .invalidMetricHandler(this::leaveOut);
        if (mapper != null) {
            b.customLabelMapper(mapper);
        }
        b.register(once);
        return once.scrape();
    }

    private boolean leaveOut(String metric, Exception e) {
        if (warned.add(metric)) {
            LOG.warn("metric {} cannot be read; /metrics leaves it out until it can", metric, e);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static MetricSnapshot merge(List<MetricSnapshot> parts) {
        MetricSnapshot first = parts.get(0);
        MetricMetadata meta = new MetricMetadata(first.getMetadata().getName(),
                "Dropwizard <family>.<queue or realm>, one series per label value");
        List<Object> points = new ArrayList<>();
        parts.forEach(p -> points.addAll(p.getDataPoints()));
        if (first instanceof GaugeSnapshot) {
            return new GaugeSnapshot(meta, (List<GaugeSnapshot.GaugeDataPointSnapshot>) (List<?>) points);
        }
        if (first instanceof SummarySnapshot) {
            return new SummarySnapshot(meta, (List<SummarySnapshot.SummaryDataPointSnapshot>) (List<?>) points);
        }
        if (first instanceof CounterSnapshot) {
            return new CounterSnapshot(meta, (List<CounterSnapshot.CounterDataPointSnapshot>) (List<?>) points);
        }
        throw new IllegalStateException("unexpected per-queue metric kind " + first.getClass().getSimpleName());
    }
}
