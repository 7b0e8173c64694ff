package dev.spine.service;

import dev.spine.contracts.ConfigException;
import com.codahale.metrics.MetricRegistry;
import dev.spine.events.EventBus;
import dev.spine.jobs.JobHandler;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link JobService}: the config (usually {@link ServiceConfig#fromEnvironment()}), handlers by
 * job type (in code; {@link JobHandlerProvider}s found by ServiceLoader are added unless switched off), and
 * the routing table (the file named by {@code SPINE_ROUTES_FILE}, else the bundled defaults).
 */
public final class JobServiceBuilder {
    private final ServiceConfig config;
    private final Map<String, JobHandler> handlers = new LinkedHashMap<>();
    private RoutingTable routes;
    private MetricRegistry metrics = new MetricRegistry();
    private Clock clock = Clock.systemUTC();
    private boolean discoverHandlers = true;
    private OpenTelemetry openTelemetry;
    private EventBus eventBus;

    JobServiceBuilder(ServiceConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public JobServiceBuilder handler(String jobType, JobHandler handler) {
        if (handlers.putIfAbsent(jobType, Objects.requireNonNull(handler, "handler")) != null) {
            throw new ConfigException("handlers", "two handlers for job type " + jobType);
        }
        return this;
    }

    public JobServiceBuilder routes(RoutingTable routes) {
        this.routes = routes;
        return this;
    }

    public JobServiceBuilder metrics(MetricRegistry metrics) {
        this.metrics = metrics;
        return this;
    }

    public JobServiceBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Whether {@link JobHandlerProvider}s on the class path are loaded (default true). */
    public JobServiceBuilder discoverHandlers(boolean discover) {
        this.discoverHandlers = discover;
        return this;
    }

    /**
     * Tracing of the whole chain (event processing, job runs, the handlers' publishes). Default:
     * {@link Telemetry#fromEnvironment()}: the standard {@code OTEL_*} variables, off unless an exporter
     * or endpoint is named.
     */
    public JobServiceBuilder openTelemetry(OpenTelemetry openTelemetry) {
        this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        return this;
    }

    /**
     * The event bus to consume and publish on, of any {@code SPINE_EVENT_BUS} backend (its streams or tables
     * ready); the service does not close it. Default: NATS JetStream from {@link ServiceConfig#nats()}, made,
     * provisioned and closed by the service.
     */
    public JobServiceBuilder eventBus(EventBus eventBus) {
        this.eventBus = Objects.requireNonNull(eventBus, "eventBus");
        return this;
    }

    public JobService build() {
        RoutingTable table = routes != null ? routes : RoutingTable.of(config);
        if (config.lifecycleEvents()) {
            table.refuseFeedback(JobService.LIFECYCLE_TYPES);
        }
        return new JobService(config, table, metrics, new LinkedHashMap<>(handlers), discoverHandlers, clock,
                openTelemetry == null ? Telemetry.fromEnvironment() : openTelemetry, openTelemetry == null, eventBus);
    }
}
