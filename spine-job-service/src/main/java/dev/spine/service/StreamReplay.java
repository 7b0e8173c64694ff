package dev.spine.service;

import com.codahale.metrics.MetricRegistry;
import dev.spine.events.ReplayOptions;
import dev.spine.contracts.EventCodec;
import dev.spine.events.EventBus;
import dev.spine.jobs.JobQueue;
import dev.spine.service.internal.IngestMetrics;
import dev.spine.service.internal.IngestTracing;
import dev.spine.service.internal.Materializer;
import dev.spine.service.internal.RejectedEvents;
import dev.spine.service.internal.Replayer;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Replays a window of the platform stream into jobs without a running service (the {@code spine replay}
 * command): the routes of {@code config} and the same idempotency keys as live ingest, so events whose jobs
 * exist create nothing and replaying twice creates nothing new. Malformed events go to the rejected events.
 * Durable consumers are not touched. A running service replays with {@link JobService#replay}.
 */
public final class StreamReplay {
    private StreamReplay() {}

    /** Reads the window {@code options} names from {@code bus} and materialises it. */
    public static ReplayReport replay(ServiceConfig config, DataSource dataSource, JobQueue jobs, EventBus bus,
            ReplayOptions options) throws SQLException {
        Materializer materializer = new Materializer(dataSource, jobs, EventCodec.defaults(), RoutingTable.of(config),
                new RejectedEvents(dataSource, config.postgres().schema()), new IngestMetrics(new MetricRegistry()),
                Clock.systemUTC(), new IngestTracing(OpenTelemetry.noop(), "replay", bus.messagingSystem()),
                config.ingest().adapter());
        return Replayer.replay(bus, materializer, config.ingest().batchSize(), options, r -> { });
    }
}
