package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.Replica;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-node JetStream cluster on this host (the settings of nats/cluster/common.conf, on ports and stores
 * of the test's own, so a developer's {@code ./spine cluster start} is untouched), streams with 3 replicas:
 * the platform stream's leader is killed (SIGKILL) under load. No acknowledged event is lost, the job
 * service's consumer keeps turning events into jobs on the two nodes left, and the killed node rejoins
 * and catches up. Prints published / created / ran / lost / duplicated.
 */
@ExtendWith(SpineServices.class)
class ClusterNodeLossTest {
    static final int STRETCH = 300;

    @Test
    void killingTheStreamLeaderUnderLoadLosesNoAcknowledgedEvent(TestDatabase db, @TempDir Path tmp) throws Exception {
        Ledger ledger = new Ledger("cluster node loss");
        List<PrivateNats> nodes = cluster(tmp, 3);
        try {
            String urls = nodes.stream().map(PrivateNats::url).collect(Collectors.joining(","));
            ServerConfig config = Fixture.config(db.url(), db.schema(), urls, "CL",
                    Map.of("SPINE_STREAM_REPLICAS", "3"));
            try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                    .handler(Fixture.JOB_TYPE, ledger::run).build().start();
                 Connection connection = Fixture.connect(urls);
                 Spine publisher = Spine.builder(connection).topology(config.engine().topology())
                         .publishTimeout(Duration.ofSeconds(2)).build()) {
                JetStreamManagement jsm = connection.jetStreamManagement();
                String stream = config.engine().topology().platformStream();
                assertEquals(3, jsm.getStreamInfo(stream).getConfiguration().getReplicas());
                AtomicBoolean loading = new AtomicBoolean(true);
                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int i = 0; loading.get(); i++) {
                        ledger.publish(publisher, Fixture.event(i)); // a failure is reported, and retried below
                        if (i % 5 == 4) {
                            Fixture.pause(20);
                        }
                    }
                });
                Eventually.await("jobs run before the node is lost", Duration.ofSeconds(60),
                        () -> ledger.distinctRuns() >= STRETCH);

                String leader = jsm.getStreamInfo(stream).getClusterInfo().getLeader();
                PrivateNats victim = nodes.stream().filter(n -> n.name().equals(leader)).findFirst().orElseThrow();
                System.out.println("cluster node loss: killing " + leader + ", the leader of " + stream + ", at "
                        + ledger.acknowledged() + " acknowledged");
                victim.kill();
                long killed = System.nanoTime();
                int atKill = ledger.distinctRuns();
                // when the service's own connection was on the killed node, its pull resumes only after
                // missed heartbeats, as after a single server's restart (NatsRestartTest.RESUME_WITHIN)
                Eventually.await("consumers continue on two nodes", NatsRestartTest.RESUME_WITHIN,
                        () -> ledger.distinctRuns() >= atKill + STRETCH);
                System.out.printf("cluster node loss: %d more jobs ran %d ms after the kill%n", STRETCH,
                        (System.nanoTime() - killed) / 1_000_000);
                String newLeader = Eventually.awaitValue("a new stream leader", Duration.ofSeconds(30),
                        () -> leaderOf(jsm, stream), l -> l != null && !l.equals(leader));

                victim.start();
                Eventually.await("the killed node rejoins and its replica catches up", Duration.ofSeconds(90),
                        () -> allReplicasCurrent(jsm, stream, 3));
                int atRejoin = ledger.distinctRuns();
                Eventually.await("consumers continue with three nodes", Duration.ofSeconds(60),
                        () -> ledger.distinctRuns() >= atRejoin + STRETCH);
                loading.set(false);
                load.get(1, TimeUnit.MINUTES);
                System.out.println("cluster node loss: new leader " + newLeader + "; " + leader + " rejoined");
                ledger.retryReported(publisher, Duration.ofSeconds(60));
                Eventually.await("every acknowledged event's job ran", Duration.ofMinutes(2),
                        () -> ledger.distinctRuns() >= ledger.acknowledged());
                Ledger.Counts counts = ledger.count(service.engine().dataSource(), config.engine().postgres().schema());
                assertEquals(counts.published(), counts.acked());
                assertEquals(0, counts.lost(), "no acknowledged event lost");
                assertEquals(0, counts.duplicated(), "no event turned into two jobs");
                assertEquals(counts.acked(), counts.created());
                assertEquals(counts.acked(), counts.ran(), "every job ran");
                assertEquals(counts.acked(), jsm.getStreamInfo(stream).getStreamState().getMsgCount(),
                        "the stream holds each event once");
            }
        } finally {
            nodes.forEach(PrivateNats::close);
        }
    }

    /**
     * {@code size} nodes whose configs include (a copy of) the repository's nats/cluster/common.conf, each with its own
     * client, route and monitoring port and its own store under {@code dir}.
     */
    private static final Pattern META_LEADER =
            Pattern.compile("\"meta_cluster\"\\s*:\\s*\\{[^}]*\"leader\"\\s*:\\s*\"[^\"]+\"");

    static List<PrivateNats> cluster(Path dir, int size) throws Exception {
        Path common = Fixture.repo().resolve("nats/cluster/common.conf");
        assertTrue(Files.isRegularFile(common), "missing " + common);
        // nats-server resolves includes relative to the including file: a copy sits beside the node configs
        Files.copy(common, dir.resolve("common.conf"));
        List<Integer> routes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            routes.add(PrivateNats.freePort());
        }
        String routeList = routes.stream().map(p -> "nats-route://127.0.0.1:" + p).collect(Collectors.joining("\n        "));
        List<PrivateNats> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path conf = dir.resolve("c" + (i + 1) + ".conf");
            Files.writeString(conf, "include ./common.conf\n"
                    + "cluster {\n    name: spine-reliability\n    listen: 127.0.0.1:" + routes.get(i) + "\n"
                    + "    routes: [\n        " + routeList + "\n    ]\n}\n");
            nodes.add(PrivateNats.builder(dir).name("c" + (i + 1)).config(conf).waitForHealth(false).build());
        }
        try {
            nodes.forEach(PrivateNats::start);
            nodes.forEach(PrivateNats::awaitHealthy);
            // healthy is not yet ready for stream requests: each node must know the JetStream meta leader
            for (PrivateNats node : nodes) {
                Eventually.await(node.name() + " knows the JetStream meta leader", Duration.ofSeconds(30),
                        () -> META_LEADER.matcher(node.monitor("/jsz")).find());
            }
        } catch (RuntimeException e) {
            nodes.forEach(PrivateNats::close);
            throw e;
        }
        return nodes;
    }

    private static String leaderOf(JetStreamManagement jsm, String stream) {
        try {
            return jsm.getStreamInfo(stream).getClusterInfo().getLeader();
        } catch (Exception e) {
            return null; // no leader yet
        }
    }

    private static boolean allReplicasCurrent(JetStreamManagement jsm, String stream, int size) {
        try {
            ClusterInfo info = jsm.getStreamInfo(stream).getClusterInfo();
            List<Replica> replicas = info.getReplicas();
            return info.getLeader() != null && replicas != null && replicas.size() == size - 1
                    && replicas.stream().allMatch(r -> r.isCurrent() && !r.isOffline());
        } catch (Exception e) {
            return false;
        }
    }
}
