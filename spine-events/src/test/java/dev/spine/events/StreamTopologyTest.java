package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class StreamTopologyTest {

    @Test
    void concurrentProvisioningCreatesTheDesignedStreamsOnce(TestNats nats) throws Exception {
        StreamTopology topology = TestSpines.topology(nats);
        int processes = 4;
        CyclicBarrier start = new CyclicBarrier(processes);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            Spine spine = Spine.builder(nats.connect()).topology(topology).build();
            runs.add(CompletableFuture.runAsync(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                spine.provision();
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get();

        JetStreamManagement jsm = nats.connect().jetStreamManagement();
        StreamConfiguration platform = jsm.getStreamInfo(topology.platformStream()).getConfiguration();
        assertEquals(Set.copyOf(topology.platformSubjects()), Set.copyOf(platform.getSubjects()));
        assertEquals(7, platform.getSubjects().size(), "one pattern per default domain, never *.*");
        assertTrue(platform.getSubjects().contains(nats.prefix() + ".connector.*"));
        assertEquals(Duration.ofDays(30), platform.getMaxAge());
        assertEquals(Duration.ofMinutes(2), platform.getDuplicateWindow());
        assertEquals(io.nats.client.api.StorageType.File, platform.getStorageType());

        StreamConfiguration connector = jsm.getStreamInfo(topology.connectorStream()).getConfiguration();
        assertTrue(connector.getSubjects().isEmpty());
        assertEquals(Duration.ofDays(7), connector.getMaxAge());
        assertEquals(topology.platformStream(), connector.getSources().get(0).getName());
        assertEquals(nats.prefix() + ".connector.*", connector.getSources().get(0).getFilterSubject());

        StreamConfiguration audit = jsm.getStreamInfo(topology.auditStream()).getConfiguration();
        assertEquals(Duration.ofDays(365), audit.getMaxAge());
        assertTrue(audit.getDenyDelete());
        assertTrue(audit.getDenyPurge());
        assertNull(audit.getSources().get(0).getFilterSubject());
    }

    @Test
    void aStartingProcessAddsSubjectsButNeverShrinksAndWarnsOncePerDifference(TestNats nats) throws Exception {
        StreamTopology base = TestSpines.topology(nats);
        StreamTopology withBilling = StreamTopology.builder().streamNamePrefix(base.streamNamePrefix())
                .subjectPrefix(base.subjectPrefix()).domains(base.domains().with("billing")).build();
        Spine.builder(nats.connect()).topology(withBilling).build().provision();

        // a process with the default domains and a shorter connector retention starts, twice
        StreamTopology narrower = StreamTopology.builder().streamNamePrefix(base.streamNamePrefix())
                .subjectPrefix(base.subjectPrefix()).connectorMaxAge(Duration.ofDays(3)).build();
        String log;
        try (CapturedErr err = CapturedErr.start()) {
            Spine spine = Spine.builder(nats.connect()).topology(narrower).build();
            spine.provision();
            spine.provision();
            log = err.text();
        }
        JetStreamManagement jsm = nats.connect().jetStreamManagement();
        String billing = nats.prefix() + ".billing.*";
        assertTrue(jsm.getStreamInfo(base.platformStream()).getConfiguration().getSubjects().contains(billing),
                "the extra domain's subject is kept");
        assertEquals(Duration.ofDays(7), jsm.getStreamInfo(base.connectorStream()).getConfiguration().getMaxAge(),
                "retention is not shortened");
        String subjectWarning = "WARN " + StreamProviderLog.LOGGER + " - stream " + base.platformStream()
                + ": subject " + billing + " is on the server but not in this process's topology";
        String ageWarning = "stream " + base.connectorStream() + ": maxAge is 7d on the server, this process wants 3d";
        assertEquals(1, occurrences(log, subjectWarning), log);
        assertEquals(1, occurrences(log, ageWarning), log);

        // a process with one more domain adds its subject and keeps the others
        StreamTopology wider = StreamTopology.builder().streamNamePrefix(base.streamNamePrefix())
                .subjectPrefix(base.subjectPrefix()).domains(base.domains().with("shipping")).build();
        Spine widened = Spine.builder(nats.connect()).topology(wider).build();
        widened.provision();
        List<String> subjects = jsm.getStreamInfo(base.platformStream()).getConfiguration().getSubjects();
        assertTrue(subjects.contains(nats.prefix() + ".shipping.*") && subjects.contains(billing), subjects.toString());
        assertEquals(1, widened.publish(TestSpines.event("shipping.ParcelSent", 1)).sequence());
    }

    @Test
    void planListsEveryDifferenceAndApplyMakesThem(TestNats nats) throws Exception {
        StreamTopology base = TestSpines.topology(nats);
        Spine.builder(nats.connect()).topology(StreamTopology.builder().streamNamePrefix(base.streamNamePrefix())
                .subjectPrefix(base.subjectPrefix()).domains(base.domains().with("billing")).build()).build().provision();
        StreamTopology narrower = StreamTopology.builder().streamNamePrefix(base.streamNamePrefix())
                .subjectPrefix(base.subjectPrefix()).connectorMaxAge(Duration.ofDays(3))
                .auditMaxAge(Duration.ofDays(400)).build();
        Spine spine = Spine.builder(nats.connect()).topology(narrower).build();
        spine.provision();

        List<StreamChange> plan = spine.planStreams();
        assertEquals(List.of(
                new StreamChange(base.platformStream(), "subjects", nats.prefix() + ".billing.*", "-", StreamChange.Effect.SHRINK),
                new StreamChange(base.connectorStream(), "maxAge", "7d", "3d", StreamChange.Effect.SHRINK),
                new StreamChange(base.auditStream(), "maxAge", "365d", "400d", StreamChange.Effect.CHANGE)), plan);

        assertEquals(plan, spine.applyStreams());
        assertEquals(List.of(), spine.planStreams(), "nothing left to change");
        JetStreamManagement jsm = nats.connect().jetStreamManagement();
        assertEquals(Set.copyOf(narrower.platformSubjects()),
                Set.copyOf(jsm.getStreamInfo(base.platformStream()).getConfiguration().getSubjects()));
        assertEquals(Duration.ofDays(3), jsm.getStreamInfo(base.connectorStream()).getConfiguration().getMaxAge());
    }

    @Test
    void planOfMissingStreamsListsTheirCreation(TestNats nats) {
        StreamTopology t = TestSpines.topology(nats);
        Spine spine = Spine.builder(nats.connect()).topology(t).build();
        List<StreamChange> plan = spine.planStreams();
        assertEquals(4, plan.size(), plan.toString());
        assertTrue(plan.stream().allMatch(c -> c.effect() == StreamChange.Effect.CREATE), plan.toString());
        assertEquals(plan, spine.applyStreams());
        assertEquals(List.of(), spine.planStreams());
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void connectorAndAuditStreamsReceiveTheirCopies(TestNats nats) throws Exception {
        Spine spine = TestSpines.provisioned(nats);
        StreamTopology t = spine.topology();
        spine.publish(TestSpines.event("connector.DataReceived", 1));
        spine.publish(TestSpines.event("data.EntityCreated", 2));
        spine.publish(TestSpines.event("connector.LocationUpdated", 3));
        Eventually.await("audit-log sources all three", () -> TestSpines.messages(nats, t.auditStream()) == 3);
        Eventually.await("connector-data sources the two connector events",
                () -> TestSpines.messages(nats, t.connectorStream()) == 2);
        assertEquals(3, TestSpines.messages(nats, t.platformStream()));

        JetStreamManagement jsm = nats.connect().jetStreamManagement();
        assertThrows(JetStreamApiException.class, () -> jsm.deleteMessage(t.auditStream(), 1));
        assertThrows(JetStreamApiException.class, () -> jsm.purgeStream(t.auditStream()));
        assertEquals(3, TestSpines.messages(nats, t.auditStream()));
    }

    @Test
    void topologyBuilderNamesTheBadField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamTopology.builder().subjectPrefix("events").build());
        assertTrue(e.getMessage().startsWith("subjectPrefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StreamTopology.builder().replicas(0).build());
        assertTrue(e.getMessage().startsWith("replicas"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StreamTopology.builder().duplicateWindow(Duration.ZERO).build());
        assertTrue(e.getMessage().startsWith("duplicateWindow"), e.getMessage());
    }

    /** The name slf4j-simple prints for the provisioner's logger. */
    static final class StreamProviderLog {
        static final String LOGGER = "dev.spine.events.internal.StreamProvisioner";
    }

    /** Copies what is written to System.err (where slf4j-simple logs) while open. */
    static final class CapturedErr implements AutoCloseable {
        private final java.io.PrintStream original = System.err;
        private final java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();

        static CapturedErr start() {
            CapturedErr c = new CapturedErr();
            System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    c.original.write(b);
                    synchronized (c.copy) {
                        c.copy.write(b);
                    }
                }
            }, true, java.nio.charset.StandardCharsets.UTF_8));
            return c;
        }

        String text() {
            synchronized (copy) {
                return copy.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
