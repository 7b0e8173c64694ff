package dev.spine.events.middleware;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.events.SubscriptionOptions;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SettableClock;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The breaker on a real subscription: while open, deliveries are retried without calling the handler. */
@ExtendWith(SpineServices.class)
class BreakerOnNatsTest {

    @Test
    void anOpenBreakerKeepsTheEventForLaterInsteadOfCallingTheHandler(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(StreamTopology.builder()
                .streamNamePrefix(nats.prefix() + "-").subjectPrefix(nats.prefix() + ".").build()).build();
        spine.provision();
        SettableClock clock = new SettableClock();
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder("search").slidingWindowSize(2).minimumCalls(2)
                .waitInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(1).clock(clock).build();
        AtomicBoolean up = new AtomicBoolean(false);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger deliveries = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        spine.subscribe(SubscriptionOptions.durable("indexer").maxDeliver(100).backoff(Duration.ofMillis(10)).build(),
                HandlerChain.of(e -> {
                    calls.incrementAndGet();
                    if (!up.get()) {
                        throw new IllegalStateException("search is down");
                    }
                    handled.incrementAndGet();
                }).use(next -> e -> {
                    deliveries.incrementAndGet();
                    next.handle(e);
                }).use(Middleware.circuitBreaker(policy)).build());
        spine.publish(EventEnvelope.builder().eventType("data.EntityCreated").source("t")
                .data(JsonNodeFactory.instance.objectNode()).build());

        Eventually.await("open and holding for several deliveries", () -> deliveries.get() >= 2
                && policy.breaker().getState() == CircuitBreaker.State.OPEN);
        int deliveriesWhenOpened = deliveries.get();
        Eventually.await("redelivered while open", () -> deliveries.get() >= deliveriesWhenOpened + 3);
        assertEquals(2, calls.get(), "the handler is not called while the breaker is open");

        up.set(true);
        clock.advance(Duration.ofSeconds(31)); // the wait is over: the next delivery is the half-open trial
        // the breaker records the trial's success only after the handler returns: wait for both
        Eventually.await("handled by the trial call, which closes the breaker", () -> handled.get() == 1
                && policy.breaker().getState() == CircuitBreaker.State.CLOSED);
        assertEquals(3, calls.get());
        assertTrue(spine.deadLetters().list(10).isEmpty(), "the event was kept, not dead-lettered");
    }
}
