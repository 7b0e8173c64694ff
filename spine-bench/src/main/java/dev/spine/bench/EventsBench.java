package dev.spine.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventSubscription;
import dev.spine.events.PublishResult;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.events.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code spine bench events}: the spine client against plain jnats on identical streams (each run
 * provisions a fresh copy of the full topology, sources included, and deletes it afterwards), with the
 * same messages: ~300-byte envelopes and the same three headers, so the server does the same work
 * (notably {@code Nats-Msg-Id} dedupe) for both and the ratio measures the client. The spine encodes
 * each envelope and builds its headers inside publish, as a real caller's code would; raw jnats gets
 * the bytes and header values precomputed, so the ratio is the spine's whole client-side overhead.
 * The consume phase reads those same messages (the spine decodes and validates each one). Rounds
 * alternate which client goes first after an unreported warm-up; rates are medians over rounds and
 * ratios are medians of the per-round spine/raw pairs. Env: N (async and consume, default 50000),
 * N_SYNC (default 5000), ROUNDS (default 5).
 */
final class EventsBench implements BenchMain.Bench {
    private static final int DEFAULT_N = 50_000;
    private static final int DEFAULT_N_SYNC = 5_000;
    private static final int DEFAULT_ROUNDS = 5;
    private static final String EVENT_TYPE = "connector.DataReceived";
    /** Both durables get the spine's server-side settings; each client pulls with its own default batch. */
    private static final int MAX_ACK_PENDING = SubscriptionOptions.DEFAULT_MAX_ACK_PENDING;
    private static final long WAIT_MINUTES = 5;
    private static final int WARMUP_DIVISOR = 5;

    @Override
    public void run(BenchEnv env) throws Exception {
        int n = BenchEnv.intEnv("N", DEFAULT_N);
        int nSync = BenchEnv.intEnv("N_SYNC", DEFAULT_N_SYNC);
        int rounds = BenchEnv.intEnv("ROUNDS", DEFAULT_ROUNDS);
        List<EventEnvelope> events = envelopes(n);
        EventCodec codec = EventCodec.defaults();
        List<byte[]> encoded = new ArrayList<>(n);
        events.forEach(e -> encoded.add(codec.encode(e)));
        int payload = encoded.get(0).length;
        System.err.printf("events bench: N=%d N_SYNC=%d rounds=%d payload=%d bytes%n", n, nSync, rounds, payload);

        List<double[]> spine = new ArrayList<>();
        List<double[]> raw = new ArrayList<>();
        try (Connection c = connect(env)) {
            // warm-up (not reported): lets the JIT compile both paths so the first measured client is not penalised
            int warm = Math.max(1, n / WARMUP_DIVISOR);
            runSpine(c, events.subList(0, warm), Math.max(1, nSync / WARMUP_DIVISOR));
            runRaw(c, events.subList(0, warm), encoded.subList(0, warm), Math.max(1, nSync / WARMUP_DIVISOR));
            System.err.println("warm-up done");
            for (int r = 0; r < rounds; r++) {
                boolean spineFirst = r % 2 == 0;
                for (int turn = 0; turn < 2; turn++) {
                    boolean isSpine = spineFirst == (turn == 0);
                    double[] result = isSpine ? runSpine(c, events, nSync) : runRaw(c, events, encoded, nSync);
                    (isSpine ? spine : raw).add(result);
                    System.err.printf(Locale.ROOT, "round %d %-5s async %.0f/s sync %.0f/s consume+ack %.0f/s%n", r + 1,
                            isSpine ? "spine" : "raw", result[0], result[1], result[2]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "{\"bench\":\"events\",\"n\":%d,\"n_sync\":%d,\"rounds\":%d,\"payload_bytes\":%d,"
                + "\"publish_async_per_s\":%.0f,\"publish_sync_per_s\":%.0f,\"consume_ack_per_s\":%.0f,"
                + "\"raw_publish_async_per_s\":%.0f,\"raw_publish_sync_per_s\":%.0f,\"raw_consume_ack_per_s\":%.0f,"
                + "\"ratio_publish_async\":%.3f,\"ratio_publish_sync\":%.3f,\"ratio_consume_ack\":%.3f}%n",
                n, nSync, rounds, payload, median(spine, 0), median(spine, 1), median(spine, 2),
                median(raw, 0), median(raw, 1), median(raw, 2),
                pairedRatio(spine, raw, 0), pairedRatio(spine, raw, 1), pairedRatio(spine, raw, 2));
    }

    /** The median of one metric over the rounds. */
    private static double median(List<double[]> results, int metric) {
        double[] v = results.stream().mapToDouble(r -> r[metric]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * The median over rounds of spine/raw measured back to back in the same round: the machine's load
     * drifts between rounds (other builds share its two cores) and a paired ratio cancels most of it.
     */
    private static double pairedRatio(List<double[]> spine, List<double[]> raw, int metric) {
        List<double[]> ratios = new ArrayList<>();
        for (int i = 0; i < spine.size(); i++) {
            ratios.add(new double[] {spine.get(i)[metric] / raw.get(i)[metric]});
        }
        return median(ratios, 0);
    }

    /** {async publish/s, sync publish/s, consume+ack/s} through the spine. */
    private static double[] runSpine(Connection c, List<EventEnvelope> events, int nSync) throws Exception {
        StreamTopology topology = freshTopology();
        try (Spine spine = Spine.builder(c).topology(topology).build()) {
            spine.provision();
            long t0 = System.nanoTime();
            List<CompletableFuture<PublishResult>> acks = new ArrayList<>(events.size());
            for (EventEnvelope e : events) {
                acks.add(spine.publishAsync(e));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT_MINUTES, TimeUnit.MINUTES);
            double async = rate(events.size(), t0);

            List<EventEnvelope> syncEvents = envelopes(nSync);
            t0 = System.nanoTime();
            for (EventEnvelope e : syncEvents) {
                spine.publish(e);
            }
            double sync = rate(nSync, t0);

            int total = events.size() + nSync;
            CountDownLatch done = new CountDownLatch(total);
            t0 = System.nanoTime();
            EventSubscription sub = spine.subscribe(SubscriptionOptions.durable("bench").build(), e -> done.countDown());
            await(done);
            double consume = rate(total, t0);
            sub.close();
            return new double[] {async, sync, consume};
        } finally {
            deleteStreams(c, topology);
        }
    }

    /** The same three measurements with plain jnats calls on an identical topology. */
    private static double[] runRaw(Connection c, List<EventEnvelope> events, List<byte[]> encoded, int nSync)
            throws Exception {
        StreamTopology topology = freshTopology();
        try (Spine provisioner = Spine.builder(c).topology(topology).build()) {
            provisioner.provision();
        }
        try {
            JetStream js = c.jetStream();
            String subject = topology.subjectFor(EVENT_TYPE);
            List<String[]> ids = headerValues(events);
            long t0 = System.nanoTime();
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>(encoded.size());
            for (int i = 0; i < encoded.size(); i++) {
                acks.add(js.publishAsync(subject, headers(ids.get(i)), encoded.get(i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT_MINUTES, TimeUnit.MINUTES);
            double async = rate(encoded.size(), t0);

            List<byte[]> syncBodies = new ArrayList<>(nSync);
            EventCodec codec = EventCodec.defaults();
            List<EventEnvelope> syncEvents = envelopes(nSync);
            syncEvents.forEach(e -> syncBodies.add(codec.encode(e)));
            List<String[]> syncIds = headerValues(syncEvents);
            t0 = System.nanoTime();
            for (int i = 0; i < nSync; i++) {
                js.publish(subject, headers(syncIds.get(i)), syncBodies.get(i));
            }
            double sync = rate(nSync, t0);

            int total = encoded.size() + nSync;
            CountDownLatch done = new CountDownLatch(total);
            t0 = System.nanoTime();
            var context = c.getStreamContext(topology.platformStream()).createOrUpdateConsumer(
                    ConsumerConfiguration.builder().durable("bench").ackPolicy(AckPolicy.Explicit)
                            .maxAckPending(MAX_ACK_PENDING).build());
            MessageConsumer consumer = context.consume(ConsumeOptions.DEFAULT_CONSUME_OPTIONS, m -> {
                m.ack();
                done.countDown();
            });
            await(done);
            double consume = rate(total, t0);
            consumer.stop();
            consumer.close();
            return new double[] {async, sync, consume};
        } finally {
            deleteStreams(c, topology);
        }
    }

    /** Header values computed outside the timed loop, so the raw client does only what jnats must. */
    private static List<String[]> headerValues(List<EventEnvelope> events) {
        List<String[]> out = new ArrayList<>(events.size());
        for (EventEnvelope e : events) {
            out.add(new String[] {e.eventId().toString(), e.eventType(), e.correlationId().toString()});
        }
        return out;
    }

    /** The same headers the spine sends: the dedupe id (the stream then dedupes both alike) and two more. */
    private static Headers headers(String[] v) {
        return new Headers().put("Nats-Msg-Id", v[0]).put("Spine-Event-Type", v[1]).put("Spine-Correlation-Id", v[2]);
    }

    private static List<EventEnvelope> envelopes(int count) {
        List<EventEnvelope> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode data = EventCodec.defaults().objectMapper().createObjectNode()
                    .put("connectorId", "conn-4711").put("deviceId", "dev-" + (i % 1000))
                    .put("reading", 21.5 + (i % 10)).put("unit", "celsius").put("sequence", i);
            out.add(EventEnvelope.builder().eventType(EVENT_TYPE).source("bench-gateway").tenantId("tenant-a")
                    .data(data).build());
        }
        return out;
    }

    private static StreamTopology freshTopology() {
        String id = "BENCHEVT" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase(Locale.ROOT);
        return StreamTopology.builder().streamNamePrefix(id + "-").subjectPrefix(id + ".").build();
    }

    private static void deleteStreams(Connection c, StreamTopology t) throws Exception {
        JetStreamManagement jsm = c.jetStreamManagement();
        for (String s : List.of(t.auditStream(), t.connectorStream(), t.deadLetterStream(), t.platformStream())) {
            jsm.deleteStream(s);
        }
    }

    private static void await(CountDownLatch done) throws InterruptedException {
        if (!done.await(WAIT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("consumer did not finish: " + done.getCount() + " events left");
        }
    }

    private static double rate(int count, long startNanos) {
        return count / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static Connection connect(BenchEnv env) throws Exception {
        return Nats.connect(new Options.Builder().server(env.natsUrl()).build());
    }
}
