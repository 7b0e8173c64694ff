package dev.spine.events.postgres;

import dev.spine.contracts.EventSchemas;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;

/** Spines and outboxes isolated per test: stream names and subjects carry the test's prefix, tables its schema. */
final class OutboxFixtures {
    private OutboxFixtures() {}

    static Spine provisioned(TestNats nats) {
        StreamTopology topology = StreamTopology.builder().streamNamePrefix(nats.prefix() + "-")
                .subjectPrefix(nats.prefix() + ".").build();
        Spine spine = Spine.builder(nats.connect()).topology(topology).build();
        spine.provision();
        return spine;
    }

    static Outbox outbox(TestDatabase db, Spine spine) {
        return Outbox.builder(db.dataSource()).schema(db.schema()).domains(spine.topology().domains())
                .schemas(EventSchemas.fromClasspath()).build();
    }
}
