package dev.spine.gateway;

import dev.spine.contracts.EnvelopeAdapter;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;

/**
 * The bus's counters, exported on {@code /metrics} with the job service's: events accepted over HTTP
 * ({@code spine_bus_published_total}, retries answered from a receipt in {@code spine_bus_duplicates_total}),
 * events copied to the store, webhook attempts delivered, failed and dead-lettered, and live clients
 * disconnected for reading too slowly ({@code spine_bus_live_slow_consumers_total}).
 */
final class BusMetrics {
    final Counter published;
    final Counter duplicates;
    final Counter stored;
    final Counter delivered;
    final Counter failedAttempts;
    final Counter deadLettered;
    final Counter slowConsumers;

    private final MetricRegistry registry;

    BusMetrics(MetricRegistry registry) {
        this.registry = registry;
        published = registry.counter("spine.bus.published");
        duplicates = registry.counter("spine.bus.duplicates");
        stored = registry.counter("spine.bus.events_stored");
        delivered = registry.counter("spine.bus.webhook.delivered");
        failedAttempts = registry.counter("spine.bus.webhook.failed_attempts");
        deadLettered = registry.counter("spine.bus.webhook.dead_lettered");
        slowConsumers = registry.counter("spine.bus.live.slow_consumers");
    }

    /** A legacy event adapted at the HTTP entry: {@code spine.events.adapted.<shape>}, as at ingest. */
    void adapted(EnvelopeAdapter.Shape shape) {
        registry.counter("spine.events.adapted." + shape.label()).inc();
    }
}
