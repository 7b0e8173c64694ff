package dev.spine.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventSubscription;
import dev.spine.events.PublishResult;
import dev.spine.events.Spine;
import dev.spine.events.SpineBuilder;
import dev.spine.events.StreamTopology;
import dev.spine.events.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.MessageConsumer;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code spine bench events}: the spine client against plain jnats on the same streams (one fresh copy
 * of the full topology, sources included, deleted afterwards) with the same messages: ~300-byte
 * envelopes and the same three headers, so the server does the same work for both (notably the
 * {@code Nats-Msg-Id} dedupe) and the ratio measures the client.
 *
 * <p>Two baselines. {@code raw_*}: plain jnats doing what a service without the spine must do with the
 * same event: serialise it with Jackson (from a tree built beforehand, as the spine gets an envelope built
 * beforehand) and set the headers inside the timed loop; on consume, parse each message with Jackson and
 * ack. {@code raw_preencoded_*}: the floor, jnats alone, with bytes and header values precomputed and
 * nothing parsed on consume. The spine encodes, validates and decodes inside its calls in both cases.
 *
 * <p>The machine is shared (two cores, other builds), so each measurement is taken as a back-to-back
 * pair, the order alternating by round, after an unreported warm-up; rates are medians over rounds and
 * ratios are medians of the per-pair ratios. Env: N (async and consume, default 50000), N_SYNC
 * (default 5000), ROUNDS (default 5).
 */
final class EventsBench implements BenchMain.Bench {
    private static final int DEFAULT_N = 50_000;
    private static final int DEFAULT_N_SYNC = 5_000;
    private static final int DEFAULT_ROUNDS = 5;
    private static final int WARMUP_DIVISOR = 5;
    private static final String EVENT_TYPE = "connector.DataReceived";
    /** Both durables get the spine's server-side settings; each client pulls with its own default batch. */
    private static final int MAX_ACK_PENDING = SubscriptionOptions.DEFAULT_MAX_ACK_PENDING;
    private static final long WAIT_MINUTES = 5;
    private static final String[] METRICS = {"publish_async_per_s", "publish_sync_per_s", "consume_ack_per_s"};

    private final EventCodec codec = EventCodec.defaults();
    private int durables;

    @Override
    public void run(BenchEnv env) throws Exception {
        int n = BenchEnv.intEnv("N", DEFAULT_N);
        int nSync = BenchEnv.intEnv("N_SYNC", DEFAULT_N_SYNC);
        int rounds = BenchEnv.intEnv("ROUNDS", DEFAULT_ROUNDS);
        int payload = codec.encode(envelopes(1).get(0)).length;
        System.err.printf("events bench: N=%d N_SYNC=%d rounds=%d payload=%d bytes%n", n, nSync, rounds, payload);
        StreamTopology topology = freshTopology();
        List<double[]> spineRates = new ArrayList<>();
        List<double[]> rawRates = new ArrayList<>();
        List<double[]> floorRates = new ArrayList<>();
        try (Connection c = env.connectNats();
                Spine spine = Spine.builder(c).topology(topology).build()) {
            spine.provision();
            // the same request timeout as the spine's publisher
            JetStream js = c.jetStream(JetStreamOptions.builder().requestTimeout(SpineBuilder.DEFAULT_PUBLISH_TIMEOUT).build());
            round(spine, js, topology, Math.max(1, n / WARMUP_DIVISOR), Math.max(1, nSync / WARMUP_DIVISOR), true,
                    new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            System.err.println("warm-up done");
            for (int r = 0; r < rounds; r++) {
                round(spine, js, topology, n, nSync, r % 2 == 0, spineRates, rawRates, floorRates);
                double[] s = spineRates.get(r);
                double[] w = rawRates.get(r);
                double[] f = floorRates.get(r);
                System.err.printf(Locale.ROOT, "round %d async %.0f vs %.0f (%.0f), sync %.0f vs %.0f (%.0f), consume+ack "
                        + "%.0f vs %.0f (%.0f) (spine vs raw (pre-encoded), per s)%n", r + 1, s[0], w[0], f[0], s[1], w[1],
                        f[1], s[2], w[2], f[2]);
            }
        } finally {
            deleteStreams(env, topology);
        }
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                "{\"bench\":\"events\",\"n\":%d,\"n_sync\":%d,\"rounds\":%d,\"payload_bytes\":%d", n, nSync, rounds, payload));
        for (int i = 0; i < METRICS.length; i++) {
            json.append(String.format(Locale.ROOT, ",\"%s\":%.0f", METRICS[i], median(spineRates, i)));
        }
        for (int i = 0; i < METRICS.length; i++) {
            json.append(String.format(Locale.ROOT, ",\"raw_%s\":%.0f", METRICS[i], median(rawRates, i)));
        }
        for (int i = 0; i < METRICS.length; i++) {
            json.append(String.format(Locale.ROOT, ",\"raw_preencoded_%s\":%.0f", METRICS[i], median(floorRates, i)));
        }
        for (int i = 0; i < METRICS.length; i++) {
            json.append(String.format(Locale.ROOT, ",\"ratio_%s\":%.3f", METRICS[i].replace("_per_s", ""),
                    pairedRatio(spineRates, rawRates, i)));
        }
        for (int i = 0; i < METRICS.length; i++) {
            json.append(String.format(Locale.ROOT, ",\"ratio_preencoded_%s\":%.3f", METRICS[i].replace("_per_s", ""),
                    pairedRatio(spineRates, floorRates, i)));
        }
        System.out.println(json.append('}'));
    }

    /** One round: each metric measured for the spine and both baselines back to back, {@code spineFirst} deciding the order. */
    private void round(Spine spine, JetStream js, StreamTopology topology, int n, int nSync, boolean spineFirst,
            List<double[]> spineRates, List<double[]> rawRates, List<double[]> floorRates) throws Exception {
        double[] s = new double[3];
        double[] w = new double[3];
        double[] f = new double[3];
        List<EventEnvelope> forSpine = envelopes(n);
        RawBatch raw = new RawBatch(envelopes(n));
        RawBatch floor = new RawBatch(envelopes(n));
        List<EventEnvelope> syncSpine = envelopes(nSync);
        RawBatch syncRaw = new RawBatch(envelopes(nSync));
        RawBatch syncFloor = new RawBatch(envelopes(nSync));
        String subject = topology.subjectFor(EVENT_TYPE);
        for (int turn = 0; turn < 2; turn++) {
            if (spineFirst == (turn == 0)) {
                s[0] = spineAsync(spine, forSpine);
                s[1] = spineSync(spine, syncSpine);
                s[2] = spineConsume(spine, n);
            } else {
                w[0] = rawAsync(js, subject, raw, true);
                w[1] = rawSync(js, subject, syncRaw, true);
                w[2] = rawConsume(spine.connection(), topology, n, true);
                f[0] = rawAsync(js, subject, floor, false);
                f[1] = rawSync(js, subject, syncFloor, false);
                f[2] = rawConsume(spine.connection(), topology, n, false);
            }
        }
        spineRates.add(s);
        rawRates.add(w);
        floorRates.add(f);
    }

    private static double spineAsync(Spine spine, List<EventEnvelope> events) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<PublishResult>> acks = new ArrayList<>(events.size());
        for (EventEnvelope e : events) {
            acks.add(spine.publishAsync(e));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT_MINUTES, TimeUnit.MINUTES);
        return rate(events.size(), t0);
    }

    private static double spineSync(Spine spine, List<EventEnvelope> events) {
        long t0 = System.nanoTime();
        for (EventEnvelope e : events) {
            spine.publish(e);
        }
        return rate(events.size(), t0);
    }

    private double spineConsume(Spine spine, int n) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        long t0 = System.nanoTime();
        EventSubscription sub = spine.subscribe(SubscriptionOptions.durable("spine" + (durables++)).build(),
                e -> done.countDown());
        await(done);
        double rate = rate(n, t0);
        sub.close();
        return rate;
    }

    /**
     * Plain publishAsync with the one thing a careful jnats caller must add: a bound on unacknowledged
     * publishes (same size as the spine's default). Unbounded, 50k futures outlive jnats' response
     * timeout on a loaded machine and fail. {@code serialise}: encode each event in the loop.
     */
    private double rawAsync(JetStream js, String subject, RawBatch batch, boolean serialise) throws Exception {
        Semaphore slots = new Semaphore(SpineBuilder.DEFAULT_MAX_IN_FLIGHT);
        long t0 = System.nanoTime();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            slots.acquire();
            CompletableFuture<PublishAck> ack = js.publishAsync(subject, batch.headers(i, serialise), batch.body(i, serialise));
            ack.whenComplete((a, e) -> slots.release());
            acks.add(ack);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(WAIT_MINUTES, TimeUnit.MINUTES);
        return rate(batch.size(), t0);
    }

    private double rawSync(JetStream js, String subject, RawBatch batch, boolean serialise) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            js.publish(subject, batch.headers(i, serialise), batch.body(i, serialise));
        }
        return rate(batch.size(), t0);
    }

    /** {@code parse}: read each event with Jackson before the ack, as a service must to use it. */
    private double rawConsume(Connection c, StreamTopology topology, int n, boolean parse) throws Exception {
        CountDownLatch done = new CountDownLatch(n);
        long t0 = System.nanoTime();
        var context = c.getStreamContext(topology.platformStream()).createOrUpdateConsumer(
                ConsumerConfiguration.builder().durable("raw" + (durables++)).ackPolicy(AckPolicy.Explicit)
                        .maxAckPending(MAX_ACK_PENDING).build());
        MessageConsumer consumer = context.consume(ConsumeOptions.DEFAULT_CONSUME_OPTIONS, m -> {
            if (parse) {
                try {
                    codec.objectMapper().readTree(m.getData());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("the bench's own event did not parse", e);
                }
            }
            m.ack();
            done.countDown();
        });
        await(done);
        double rate = rate(n, t0);
        consumer.stop();
        consumer.close();
        return rate;
    }

    /**
     * The events for plain jnats: as trees (what a service's code holds before publishing; serialised in the
     * loop) and as precomputed bytes and header values (the floor).
     */
    private final class RawBatch {
        final List<ObjectNode> trees = new ArrayList<>();
        final List<byte[]> bodies = new ArrayList<>();
        final List<String[]> headerValues = new ArrayList<>();

        RawBatch(List<EventEnvelope> events) throws java.io.IOException {
            for (EventEnvelope e : events) {
                byte[] bytes = codec.encode(e);
                bodies.add(bytes);
                trees.add((ObjectNode) codec.objectMapper().readTree(bytes));
                headerValues.add(new String[] {e.eventId().toString(), e.eventType(), e.correlationId().toString()});
            }
        }

        int size() {
            return bodies.size();
        }

        byte[] body(int i, boolean serialise) throws java.io.IOException {
            return serialise ? codec.objectMapper().writeValueAsBytes(trees.get(i)) : bodies.get(i);
        }

        /** The same headers the spine sends; with {@code serialise}, their values read from the event's tree. */
        Headers headers(int i, boolean serialise) {
            if (serialise) {
                ObjectNode t = trees.get(i);
                return new Headers().put("Nats-Msg-Id", t.get("eventId").asText())
                        .put("Spine-Event-Type", t.get("eventType").asText())
                        .put("Spine-Correlation-Id", t.get("correlationId").asText());
            }
            String[] v = headerValues.get(i);
            return new Headers().put("Nats-Msg-Id", v[0]).put("Spine-Event-Type", v[1]).put("Spine-Correlation-Id", v[2]);
        }
    }

    private List<EventEnvelope> envelopes(int count) {
        List<EventEnvelope> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode data = codec.objectMapper().createObjectNode()
                    .put("connectorId", "conn-4711").put("deviceId", "dev-" + (i % 1000))
                    .put("reading", 21.5 + (i % 10)).put("unit", "celsius").put("sequence", i);
            out.add(EventEnvelope.builder().eventType(EVENT_TYPE).source("bench-gateway").tenantId("tenant-a")
                    .data(data).build());
        }
        return out;
    }

    /** The median of one metric over the rounds. */
    private static double median(List<double[]> results, int metric) {
        double[] v = results.stream().mapToDouble(r -> r[metric]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The median over rounds of spine/raw measured back to back: load drift between rounds cancels out. */
    private static double pairedRatio(List<double[]> spine, List<double[]> raw, int metric) {
        List<double[]> ratios = new ArrayList<>();
        for (int i = 0; i < spine.size(); i++) {
            ratios.add(new double[] {spine.get(i)[metric] / raw.get(i)[metric]});
        }
        return median(ratios, 0);
    }

    private static StreamTopology freshTopology() {
        String id = "BENCHEVT" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase(Locale.ROOT);
        return StreamTopology.builder().streamNamePrefix(id + "-").subjectPrefix(id + ".").build();
    }

    private static void deleteStreams(BenchEnv env, StreamTopology t) throws Exception {
        try (Connection c = env.connectNats()) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (String s : List.of(t.auditStream(), t.connectorStream(), t.deadLetterStream(), t.platformStream())) {
                if (jsm.getStreamNames().contains(s)) {
                    jsm.deleteStream(s);
                }
            }
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
}
