import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.Replica;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Creates (or updates) JetStream streams from stream definition files in the format of
 * {@code nats stream add --config FILE} (nats/streams/*.json), then waits until each stream has a
 * leader and as many current replicas as it asks for. A stand-in for the nats CLI, which this
 * repository's machines do not have:
 *
 * <pre>
 *   java -cp ~/.m2/repository/io/nats/jnats/2.26.3/jnats-2.26.3.jar nats/tools/ApplyStreams.java \
 *       nats://127.0.0.1:14222,nats://127.0.0.1:14223 nats/streams/cluster/*.json
 * </pre>
 *
 * Files are applied in the order given; give platform-events first, since the others source it.
 * Exit code 0 when every stream is in place with all its replicas current, 1 otherwise, 2 on usage.
 */
public final class ApplyStreams {
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final int STREAM_NOT_FOUND = 10059;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ApplyStreams NATS_URL[,NATS_URL...] STREAM.json...");
            System.exit(2);
        }
        Options options = new Options.Builder().servers(args[0].split(",")).connectionTimeout(Duration.ofSeconds(5))
                .build();
        boolean allGood = true;
        try (Connection nc = Nats.connect(options)) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            for (int i = 1; i < args.length; i++) {
                allGood &= apply(jsm, Path.of(args[i]));
            }
        }
        System.exit(allGood ? 0 : 1);
    }

    private static boolean apply(JetStreamManagement jsm, Path file) throws Exception {
        StreamConfiguration wanted = StreamConfiguration.instance(Files.readString(file));
        String name = wanted.getName();
        String action;
        if (exists(jsm, name)) {
            jsm.updateStream(wanted);
            action = "updated";
        } else {
            jsm.addStream(wanted);
            action = "created";
        }
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (true) {
            StreamInfo info = jsm.getStreamInfo(name);
            String problem = problem(info, wanted.getReplicas());
            if (problem == null) {
                System.out.printf("%s %s (%s): replicas=%d leader=%s followers=%s%n", action, name, file,
                        info.getConfiguration().getReplicas(), leader(info), followers(info));
                return true;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("FAILED %s (%s): %s after %ss%n", name, file, problem, SETTLE_TIMEOUT.toSeconds());
                return false;
            }
            Thread.sleep(250);
        }
    }

    /** Why the stream is not settled yet, or null when it is. */
    private static String problem(StreamInfo info, int replicas) {
        if (info.getConfiguration().getReplicas() != replicas) {
            return "server reports replicas=" + info.getConfiguration().getReplicas() + ", wanted " + replicas;
        }
        ClusterInfo cluster = info.getClusterInfo();
        if (replicas == 1) {
            return null; // a single node may report no cluster info at all
        }
        if (cluster == null || cluster.getLeader() == null || cluster.getLeader().isEmpty()) {
            return "no stream leader";
        }
        List<Replica> followers = cluster.getReplicas() == null ? List.of() : cluster.getReplicas();
        long current = followers.stream().filter(Replica::isCurrent).count();
        if (current != replicas - 1) {
            return current + " of " + (replicas - 1) + " followers current";
        }
        return null;
    }

    private static String leader(StreamInfo info) {
        ClusterInfo c = info.getClusterInfo();
        return c == null || c.getLeader() == null ? "-" : c.getLeader();
    }

    private static String followers(StreamInfo info) {
        ClusterInfo c = info.getClusterInfo();
        if (c == null || c.getReplicas() == null) {
            return "[]";
        }
        return c.getReplicas().stream().map(r -> r.getName() + (r.isCurrent() ? "" : "(behind)")).toList().toString();
    }

    private static boolean exists(JetStreamManagement jsm, String name) throws Exception {
        try {
            jsm.getStreamInfo(name);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }
}
