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

    static long messages(TestNats nats, String stream) {
        try {
            JetStreamManagement jsm = nats.connect().jetStreamManagement();
            return jsm.getStreamInfo(stream).getStreamState().getMsgCount();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read stream " + stream, e);
        }
    }
}
