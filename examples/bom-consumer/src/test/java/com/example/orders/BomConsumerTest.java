package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.ReplayOptions;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What a team gets from the BOM: the spine's modules at one version, a job enqueued and handled with its
 * typed payload, an event published and read back. Against the PostgreSQL
 * and NATS that ./spine test resolved (SPINE_PG_URL, SPINE_NATS_URL), in a schema and streams of its own.
 */
class BomConsumerTest {
    private static final String RUN = "bom_example_" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aJobIsEnqueuedAndHandledWithItsTypedPayload() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(env("SPINE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres"));
        List<ShipOrder> shipped = new ArrayList<>();
        try (JobQueue jobs = JobQueue.builder(ds).schema(RUN)
                .handler(ShipOrder.TYPE, job -> shipped.add(job.payload(ShipOrder.class)))
                .build()) {
            jobs.migrate();
            jobs.enqueue(JobRequest.of(ShipOrder.TYPE, new ShipOrder("o-42", 3)).queue("background"));
            assertEquals(1, jobs.runOnce("background", 10));
        }
        assertEquals(List.of(new ShipOrder("o-42", 3)), shipped);
    }

    @Test
    void anEventIsPublishedAndStored() {
        StreamTopology topology = StreamTopology.builder().streamNamePrefix(RUN + "_").subjectPrefix(RUN + ".").build();
        try (Spine spine = Spine.builder(env("SPINE_NATS_URL", "nats://127.0.0.1:4222")).topology(topology).build()) {
            spine.provision();
            EventEnvelope sent = EventEnvelope.builder().eventType("data.EntityCreated").source("orders")
                    .data(JsonNodeFactory.instance.objectNode().put("orderId", "o-42")).build();
            assertFalse(spine.publish(sent).duplicate());
            List<EventEnvelope> stored = new ArrayList<>();
            spine.replay(ReplayOptions.fromSequence(1).build(), e -> stored.add(e.envelope()));
            assertEquals(List.of(sent), stored);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
