package dev.spine.events.postgres.contract;

import dev.spine.events.EventBus;
import dev.spine.events.postgres.PostgresEventBus;
import dev.spine.testkit.TestDatabase;
import dev.spine.testkit.TestNats;
import java.time.Duration;

/** The contract on PostgreSQL alone ({@code SPINE_EVENT_BUS=postgres}). */
class PostgresEventBusContractTest extends EventBusContract {
    @Override
    protected EventBus create(TestDatabase db, TestNats nats) {
        // subscribers hold a connection each: the widest test has three, plus publishes and registration
        return PostgresEventBus.builder(db.newDataSource(5)).schema(db.schema()).pollInterval(Duration.ofMillis(20))
                .build();
    }

    @Override
    protected int deadLetters(EventBus bus, String durable) {
        return ((PostgresEventBus) bus).deadLetters(durable, 1000).size();
    }
}
