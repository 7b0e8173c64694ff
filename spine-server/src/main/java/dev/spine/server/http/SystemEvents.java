package dev.spine.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.service.JobService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's own events, published through the spine client like any other (so they are traced, stored
 * and routable): {@code system.ServiceStarted} (version, instance, config digest), {@code system.ServiceStopping},
 * and {@code system.HealthCheckFailed} / {@code system.HealthCheckRecovered} when one of the readiness checks
 * ({@link HealthChecks}: broker, database, ingest) flips, looked at every interval. A failed publish (the
 * broker is the check that failed) is logged, never thrown: announcing must not take the process down, and the
 * recovery is announced once the broker is back.
 */
public final class SystemEvents implements AutoCloseable {
    public static final String STARTED = "system.ServiceStarted";
    public static final String STOPPING = "system.ServiceStopping";
    public static final String CHECK_FAILED = "system.HealthCheckFailed";
    public static final String CHECK_RECOVERED = "system.HealthCheckRecovered";
    private static final Logger LOG = LoggerFactory.getLogger(SystemEvents.class);
    private static final String SERVICE = "spine-server";

    private final JobService engine;
    private final String instance;
    private final HealthChecks checks;
    private final Map<String, Boolean> lastOk = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spine-system-events");
        t.setDaemon(true);
        return t;
    });

    public SystemEvents(JobService engine, String instance) {
        this.engine = engine;
        this.instance = instance;
        this.checks = new HealthChecks(engine);
    }

    /** Announces the start, then looks at the checks every {@code interval}. */
    public SystemEvents start(String version, String configDigest, Duration interval) {
        ObjectNode data = base().put("version", version).put("configDigest", configDigest);
        publish(STARTED, data);
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(this::look, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One look at every check: a change from the last look is announced (the first look only a failure). */
    void look() {
        Map<String, HealthChecks.Check> now = new LinkedHashMap<>();
        now.put("broker", checks.broker());
        now.put("database", checks.database());
        now.put("ingest", checks.ingest());
        now.forEach((name, check) -> {
            Boolean before = lastOk.get(name);
            boolean ok = check.ok();
            if (before == null ? !ok : before != ok) {
                // the state is recorded only once announced: a publish that fails is tried again next look
                if (publish(ok ? CHECK_RECOVERED : CHECK_FAILED, base().put("check", name).put("detail", check.detail()))) {
                    lastOk.put(name, ok);
                }
            } else {
                lastOk.put(name, ok);
            }
        });
    }

    private ObjectNode base() {
        return JsonNodeFactory.instance.objectNode().put("service", SERVICE).put("instance", instance);
    }

    private boolean publish(String type, ObjectNode data) {
        EventBus bus = engine.bus();
        try {
            bus.publish(EventEnvelope.builder().eventType(type).source(SERVICE).data(data).build());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("cannot publish {} ({}): {}", type, data, e.toString());
            return false;
        }
    }

    /** Stops looking and announces the stop (while the bus is still open). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publish(STOPPING, base());
        checks.close();
    }
}
