package dev.spine.service.internal;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.ReplayOptions;
import dev.spine.events.ReplayResult;
import dev.spine.events.EventBus;
import dev.spine.service.ReplayReport;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a window of the platform stream and materialises it like live ingest (same routes, same keys, one
 * transaction per batch), so events that already have their jobs create nothing. Used by the service's
 * admin API and by {@code spine replay}, which runs without a service.
 */
public final class Replayer {
    private Replayer() {}

    public static ReplayReport replay(EventBus bus, Materializer materializer, int batchSize, ReplayOptions options,
            Consumer<Materializer.Result> afterBatch) throws SQLException {
        List<EventEnvelope> events = new ArrayList<>();
        String[] stream = {null};
        ReplayResult read;
        try {
            read = bus.replay(options, e -> {
                events.add(e.envelope());
                stream[0] = e.stream();
            });
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("replay failed: " + e.getMessage(), e);
        }
        long created = 0;
        long jobs = 0;
        long unrouted = 0;
        for (int from = 0; from < events.size(); from += batchSize) {
            Materializer.Result r = materializer.replay(events.subList(from, Math.min(events.size(), from + batchSize)),
                    stream[0]);
            created += r.created();
            jobs += r.jobs().size();
            unrouted += r.unrouted();
            afterBatch.accept(r);
        }
        return new ReplayReport(read.delivered(), read.skippedMalformed(), jobs, created, unrouted, read.lastSequence());
    }
}
