package dev.spine.bench;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * The latency floors of this machine, timed in the same run as the figures they bound: the round trips
 * that no queue built on these servers can beat, paced like the latency workloads (one every 10 ms). On this
 * virtual machine a bare single-row INSERT's commit had a p99 anywhere from 3.6 to 8 ms between runs
 * minutes apart (pgbench showed the same), which alone decides whether a 5 ms enqueue-to-handler p99 is
 * possible in that run.
 */
final class Floors {
    private Floors() {}

    /** A bare one-row INSERT in its own commit, {@code n} times at 100/s, in a scratch table of {@code schema}. */
    static Latencies insert(java.sql.Connection c, String schema, int n) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("create table if not exists " + schema + ".floor (id bigserial primary key, at timestamptz)");
        }
        Latencies lat;
        try (PreparedStatement ps = c.prepareStatement("insert into " + schema + ".floor (at) values (now())")) {
            lat = paced(n, ps::executeUpdate);
        }
        try (Statement s = c.createStatement()) {
            s.execute("drop table " + schema + ".floor");
        }
        return lat;
    }

    /** A bare JetStream publish of a small message, acknowledged (stored), {@code n} times at 100/s. */
    static Latencies publish(BenchEnv env, String stream, int n) throws Exception {
        try (Connection nats = env.connectNats()) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(stream).subjects(stream + ".>")
                    .storageType(StorageType.File).build());
            try {
                JetStream js = nats.jetStream();
                byte[] body = "{\"t\":1}".getBytes(StandardCharsets.UTF_8);
                return paced(n, () -> js.publish(stream + ".floor", body));
            } finally {
                jsm.deleteStream(stream);
            }
        }
    }

    /** Times {@code step} {@code n} times, one every 10 ms: the latency workloads' pace. */
    private static Latencies paced(int n, Step step) throws Exception {
        Latencies lat = new Latencies(n);
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            lat.add((System.nanoTime() - t0) / 1000);
            Thread.sleep(10);
        }
        return lat;
    }

    private interface Step {
        void run() throws Exception;
    }
}
