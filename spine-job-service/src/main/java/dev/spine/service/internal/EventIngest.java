package dev.spine.service.internal;

import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service's consumer: one durable pull consumer on the platform stream, shared by every instance
 * (competing consumers), explicit ack, bounded ack-pending. Messages are gathered into micro-batches (as
 * many as are there, up to the batch size, lingering up to the linger time for more while events arrive
 * in bursts; a lone event at a low rate is not held back) and handed to the
 * {@link Materializer}. When the database fails, the batch is handed back with a delay and ingestion
 * pauses; the consumer never gives up on an event (unlimited deliveries): only the materializer decides
 * that an event is bad, by recording it as rejected.
 */
public final class EventIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventIngest.class);
    /** Redelivery delay of a batch whose transaction failed, and the pause before the next try. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** How long one pull request lives (its heartbeats come at half that): how soon a lost pull is noticed. */
    static final Duration PULL_EXPIRES = Duration.ofSeconds(5);
    /** Where and how to consume; {@code ackWait}: how long an event taken by an instance that died waits. */
    public record Settings(String stream, String durable, int batchSize, Duration linger, int maxAckPending,
            Duration ackWait) {}

    private final Connection nats;
    private final Settings settings;
    private final Materializer materializer;
    private final IngestMetrics metrics;
    private final Consumer<Materializer.Result> afterBatch;
    private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private volatile boolean healthy = true;
    private volatile String lastError;
    private MessageConsumer consumer;
    private Thread batcher;

    public EventIngest(Connection nats, Settings settings, Materializer materializer, IngestMetrics metrics,
            Consumer<Materializer.Result> afterBatch) {
        this.nats = nats;
        this.settings = settings;
        this.materializer = materializer;
        this.metrics = metrics;
        this.afterBatch = afterBatch;
    }

    public synchronized void start() {
        try {
            StreamContext stream = nats.getStreamContext(settings.stream());
            ConsumerContext context = stream.createOrUpdateConsumer(ConsumerConfiguration.builder()
                    .durable(settings.durable()).ackPolicy(AckPolicy.Explicit).ackWait(settings.ackWait())
                    .maxDeliver(-1).maxAckPending(settings.maxAckPending()).deliverPolicy(DeliverPolicy.All)
                    .build());
            running = true;
            batcher = new Thread(this::loop, "spine-ingest");
            batcher.setDaemon(true);
            batcher.start();
            // Short-lived pull requests: after a server restart the consumer's pending pull is gone, and jnats
            // notices only when it expires or misses heartbeats (30 s by default: a restarted server left the
            // service idle for over a minute). Five seconds costs an idle consumer one request per 5 s.
            consumer = context.consume(ConsumeOptions.builder()
                    .batchSize(Math.min(settings.maxAckPending(), Math.max(settings.batchSize() * 2, 256)))
                    .expiresIn(PULL_EXPIRES.toMillis()).build(),
                    inbox::add);
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot create the consumer " + settings.stream() + "/"
                    + settings.durable() + ": " + e.getMessage(), e);
        }
        LOG.info("consuming {} as durable {} (batches of up to {}, linger {})", settings.stream(),
                settings.durable(), settings.batchSize(), settings.linger());
    }

    private void loop() {
        try {
            gather();
        } catch (RuntimeException | Error e) {
            healthy = false;
            lastError = "ingest stopped: " + e;
            LOG.error("event ingest stopped; unacknowledged events will be redelivered to other instances", e);
            throw e;
        }
    }

    private void gather() {
        long lingerNanos = settings.linger().toNanos();
        List<Message> batch = new ArrayList<>(settings.batchSize());
        boolean busy = false;
        while (running || !inbox.isEmpty()) {
            try {
                Message first = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    busy = false;
                    continue;
                }
                batch.add(first);
                inbox.drainTo(batch, settings.batchSize() - batch.size());
                // linger for more only while events come in bursts: a lone event at a low rate goes at once
                if (busy && batch.size() < settings.batchSize()) {
                    Message more = inbox.poll(lingerNanos, TimeUnit.NANOSECONDS);
                    if (more != null) {
                        batch.add(more);
                        inbox.drainTo(batch, settings.batchSize() - batch.size());
                    }
                }
                busy = batch.size() > 1 || !inbox.isEmpty();
                process(batch);
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handBack(batch);
                return;
            }
        }
    }

    private void process(List<Message> batch) throws InterruptedException {
        try {
            Materializer.Result result = materializer.process(batch);
            healthy = true;
            lastError = null;
            afterBatch.accept(result);
        } catch (SQLException | RuntimeException e) {
            healthy = false;
            lastError = e.getMessage();
            metrics.failure(batch.size());
            LOG.warn("materialising {} events failed; they are redelivered in {} and ingestion pauses", batch.size(),
                    RETRY_DELAY, e);
            handBack(batch);
            Thread.sleep(RETRY_DELAY.toMillis()); // back off from a failing database
        }
    }

    private static void handBack(List<Message> batch) {
        for (Message m : batch) {
            m.nakWithDelay(RETRY_DELAY);
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
     * Stops pulling, materialises what was already received (up to {@code timeout}), and hands back
     * anything left, so nothing is lost or processed twice by this instance.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public synchronized void close(Duration timeout) {
        if (consumer != null) {
            try {
                consumer.stop();
            } catch (RuntimeException e) {
                LOG.debug("stopping the consumer", e);
            }
        }
        running = false;
        if (batcher != null) {
            try {
                batcher.join(timeout.toMillis());
                if (batcher.isAlive()) {
                    batcher.interrupt();
                    batcher.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Message> left = new ArrayList<>();
        inbox.drainTo(left);
        handBack(left);
    }
}
