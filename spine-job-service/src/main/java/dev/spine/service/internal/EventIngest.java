package dev.spine.service.internal;

import dev.spine.events.Delivery;
import dev.spine.events.EventBus;
import dev.spine.events.EventSubscription;
import dev.spine.events.SubscriptionOptions;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service's consumer: one durable batch subscription on the platform stream of whichever event bus
 * the service runs on, shared by every instance (competing consumers), bounded in flight. The bus gathers
 * micro-batches (as many events as are there, up to the batch size, lingering for more only while events
 * arrive in bursts, so a lone event at a low rate is not held back) and this class hands each to the
 * {@link Materializer}. When the database fails, the batch is handed back with a delay and the subscription
 * pauses for it; the consumer never gives up on an event (unlimited deliveries): only the materializer
 * decides that an event is bad, by recording it as rejected.
 */
public final class EventIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventIngest.class);
    /** Redelivery delay of a batch whose transaction failed, and the pause before the next try. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    /**
     * Where and how to consume; {@code ackWait}: how long an event taken by an instance that died waits;
     * {@code pullSize}: see {@link SubscriptionOptions.Builder#pullSize} (0: the bus's own choice).
     */
    public record Settings(String durable, int batchSize, Duration linger, int maxAckPending, Duration ackWait,
            Duration stopTimeout, List<String> eventTypes, boolean newEventsOnly, int pullSize) {
        public Settings(String durable, int batchSize, Duration linger, int maxAckPending, Duration ackWait,
                Duration stopTimeout) {
            this(durable, batchSize, linger, maxAckPending, ackWait, stopTimeout, List.of(), false, 0);
        }
    }

    private final EventBus bus;
    private final Settings settings;
    private final Materializer materializer;
    private final IngestMetrics metrics;
    private final Consumer<Materializer.Result> afterBatch;
    private volatile boolean healthy = true;
    private volatile String lastError;
    private EventSubscription subscription;

    public EventIngest(EventBus bus, Settings settings, Materializer materializer, IngestMetrics metrics,
            Consumer<Materializer.Result> afterBatch) {
        this.bus = bus;
        this.settings = settings;
        this.materializer = materializer;
        this.metrics = metrics;
        this.afterBatch = afterBatch;
    }

    public synchronized void start() {
        SubscriptionOptions options = SubscriptionOptions.durable(settings.durable()).batchSize(settings.batchSize())
                .linger(settings.linger()).maxAckPending(settings.maxAckPending()).ackWait(settings.ackWait())
                .maxDeliver(SubscriptionOptions.UNLIMITED_DELIVERIES).backoff(RETRY_DELAY)
                .stopTimeout(settings.stopTimeout()).eventTypes(settings.eventTypes().toArray(String[]::new))
                .newEventsOnly(settings.newEventsOnly()).pullSize(settings.pullSize()).build();
        subscription = bus.subscribeBatch(options, this::process);
        LOG.info("consuming as durable {} (batches of up to {}, linger {})", settings.durable(), settings.batchSize(),
                settings.linger());
    }

    /** One micro-batch: materialised, committed, then acknowledged; a failure hands it back (the bus does). */
    private void process(List<Delivery> batch) throws Exception {
        try {
            Materializer.Result result = materializer.process(batch);
            healthy = true;
            lastError = null;
            afterBatch.accept(result);
        } catch (Exception | Error e) {
            healthy = false;
            lastError = e.getMessage();
            metrics.failure(batch.size());
            LOG.warn("materialising {} events failed; they are redelivered in {} and ingestion pauses", batch.size(),
                    RETRY_DELAY, e);
            throw e;
        }
    }

    /** False while the last batch failed (the database is down): readiness reports it. */
    public boolean healthy() {
        return healthy;
    }

    public String lastError() {
        return lastError;
    }

    /**
     * Stops pulling, lets the batch in hand be materialised and acknowledged (up to the stop timeout), and hands
     * back anything not yet handled, so nothing is lost or processed twice by this instance.
     */
    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
