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
    void provisioningAgainUpdatesChangedSettingsAndAddsDomains(TestNats nats) throws Exception {
        StreamTopology first = TestSpines.topology(nats);
        Spine.builder(nats.connect()).topology(first).build().provision();
        StreamTopology wider = StreamTopology.builder().streamNamePrefix(first.streamNamePrefix())
                .subjectPrefix(first.subjectPrefix()).domains(first.domains().with("billing"))
                .connectorMaxAge(Duration.ofDays(3)).build();
        Spine spine = Spine.builder(nats.connect()).topology(wider).build();
        spine.provision();
        spine.provision();
        JetStreamManagement jsm = nats.connect().jetStreamManagement();
        assertTrue(jsm.getStreamInfo(wider.platformStream()).getConfiguration().getSubjects()
                .contains(nats.prefix() + ".billing.*"));
        assertEquals(Duration.ofDays(3), jsm.getStreamInfo(wider.connectorStream()).getConfiguration().getMaxAge());
        assertEquals(1, spine.publish(TestSpines.event("billing.InvoicePaid", 1)).sequence());
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
}
