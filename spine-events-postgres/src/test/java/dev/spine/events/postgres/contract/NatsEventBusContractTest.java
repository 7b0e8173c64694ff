package dev.spine.events.postgres.contract;

import dev.spine.events.EventBus;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;

/** The contract on NATS JetStream ({@code SPINE_EVENT_BUS=nats}). */
class NatsEventBusContractTest extends EventBusContract {
    @Override
    protected EventBus create(TestDatabase db, TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(StreamTopology.builder().streamNamePrefix(nats.prefix() + "-")
                .subjectPrefix(nats.prefix() + ".").build()).build();
        spine.provision();
        return spine;
    }

    @Override
    protected int deadLetters(EventBus bus, String durable) {
        return (int) ((Spine) bus).deadLetters().list(1000).stream().filter(d -> durable.equals(d.consumer())).count();
    }
}
