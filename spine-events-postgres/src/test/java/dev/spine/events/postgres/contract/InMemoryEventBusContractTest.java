package dev.spine.events.postgres.contract;

import dev.spine.events.EventBus;
import dev.spine.events.InMemoryEventBus;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;

/** The contract in memory ({@code SPINE_EVENT_BUS=in-memory}, development only). */
class InMemoryEventBusContractTest extends EventBusContract {
    @Override
    protected EventBus create(TestDatabase db, TestNats nats) {
        return new InMemoryEventBus();
    }

    @Override
    protected int deadLetters(EventBus bus, String durable) {
        return ((InMemoryEventBus) bus).deadLetters(durable).size();
    }
}
