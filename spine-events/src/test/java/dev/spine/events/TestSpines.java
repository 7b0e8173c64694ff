package dev.spine.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStreamManagement;

/** Spines isolated per test: stream names and subjects carry the test's unique prefix. */
final class TestSpines {
    private TestSpines() {}

    static StreamTopology topology(TestNats nats) {
        return StreamTopology.builder().streamNamePrefix(nats.prefix() + "-").subjectPrefix(nats.prefix() + ".").build();
    }

    /** A provisioned spine over a fresh test connection. */
    static Spine provisioned(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(topology(nats)).build();
        spine.provision();
        return spine;
    }

    static EventEnvelope event(String type, int n) {
        return EventEnvelope.builder().eventType(type).source("test")
                .data(JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    /** {@code n} events of {@code type} ({@code data.n} 0 to n-1), published asynchronously; returns once all are stored. */
    static void publishMany(Spine spine, String type, int n) {
        java.util.concurrent.CompletableFuture<?>[] acks = new java.util.concurrent.CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            acks[i] = spine.publishAsync(event(type, i));
        }
        java.util.concurrent.CompletableFuture.allOf(acks).join();
    }

    /**
     * The longest publish→handle time of 150 events published one per 20 ms to a spine whose connection loses
     * every 408 (pulls end on the server unannounced, as on nats-server before 2.9.15); {@code subscribe} gives
     * that spine a subscription of pulls of 500 (each expires partly filled) calling the consumer per event.
     */
    static java.time.Duration worstLatencyWhenPullsEndUnannounced(TestNats nats,
            java.util.function.BiConsumer<Spine, java.util.function.Consumer<EventEnvelope>> subscribe) throws Exception {
        Spine publisher = provisioned(nats);
        java.net.URI server = java.net.URI.create(nats.url());
        int total = 150; // 3 s: three pull lives
        java.util.Map<Integer, Long> publishedAt = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicLong worst = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(total);
        try (dev.spine.testkit.TcpProxy lossy = dev.spine.testkit.TcpProxy.droppingNatsStatus(server.getHost(),
                        server.getPort(), 408);
                io.nats.client.Connection far = io.nats.client.Nats.connect(new io.nats.client.Options.Builder()
                        .server("nats://127.0.0.1:" + lossy.port()).build());
                Spine subscriber = Spine.builder(far).topology(publisher.topology()).build()) {
            subscribe.accept(subscriber, e -> {
                long late = System.nanoTime() - publishedAt.get(e.data().get("n").asInt());
                worst.accumulateAndGet(late, Math::max);
                all.countDown();
            });
            for (int i = 0; i < total; i++) {
                publishedAt.put(i, System.nanoTime());
                publisher.publish(event("data.EntityCreated", i));
                Thread.sleep(20); // the publishing rate of the scenario, not synchronisation
            }
            if (!all.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("only " + (total - all.getCount()) + " of " + total + " events handled");
            }
            return java.time.Duration.ofNanos(worst.get());
        }
    }

    static long messages(TestNats nats, String stream) {
        try {
            JetStreamManagement jsm = nats.connect().jetStreamManagement();
            return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read stream " + stream, e);
        }
    }
}
