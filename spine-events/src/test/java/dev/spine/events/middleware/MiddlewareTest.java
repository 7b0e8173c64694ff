package dev.spine.events.middleware;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.EventHandler;
import dev.spine.events.EventRejectedException;
import dev.spine.events.ReceivedEvent;
import dev.spine.testkit.SettableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The middleware's own logic, handler by handler; the subscription paths are in the NATS tests. */
class MiddlewareTest {

    static ReceivedEvent received(String type, long deliveredCount) {
        EventEnvelope e = EventEnvelope.builder().eventType(type).source("test")
                .data(JsonNodeFactory.instance.objectNode().put("to", "nobody").put("subject", "Hi")).build();
        return new ReceivedEvent(e, type, "s", 1, deliveredCount);
    }

    @Test
    void breakerOpensHoldsAndHalfOpensAsConfigured() throws Exception {
        SettableClock clock = new SettableClock();
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder("search").failureRateThreshold(50)
                .slidingWindowSize(4).minimumCalls(4).waitInOpenState(Duration.ofSeconds(30))
                .permittedCallsInHalfOpenState(2).clock(clock).build();
        AtomicBoolean downstreamUp = new AtomicBoolean(false);
        AtomicInteger calls = new AtomicInteger();
        EventHandler h = HandlerChain.of(e -> {
            calls.incrementAndGet();
            if (!downstreamUp.get()) {
                throw new IllegalStateException("search is down");
            }
        }).use(Middleware.circuitBreaker(policy)).build();
        ReceivedEvent e = received("data.EntityCreated", 1);

        // opens: 4 calls, all failing, reach the 50 % threshold over the window
        for (int i = 0; i < 4; i++) {
            assertThrows(IllegalStateException.class, () -> h.handle(e));
        }
        assertEquals(CircuitBreaker.State.OPEN, policy.breaker().getState());

        // holds: while open, the handler is not called and the delivery fails for a later retry
        clock.advance(Duration.ofSeconds(29));
        assertThrows(CircuitOpenException.class, () -> h.handle(e));
        assertEquals(4, calls.get());
        assertEquals(CircuitBreaker.State.OPEN, policy.breaker().getState());

        // half-opens after the wait: a failing trial opens it again for another full wait
        clock.advance(Duration.ofSeconds(2));
        assertThrows(IllegalStateException.class, () -> h.handle(e));
        assertEquals(CircuitBreaker.State.HALF_OPEN, policy.breaker().getState());
        assertThrows(IllegalStateException.class, () -> h.handle(e));
        assertEquals(CircuitBreaker.State.OPEN, policy.breaker().getState());
        assertEquals(6, calls.get());
        clock.advance(Duration.ofSeconds(29));
        assertThrows(CircuitOpenException.class, () -> h.handle(e));

        // recovery: the permitted trial calls succeed and close it
        clock.advance(Duration.ofSeconds(2));
        downstreamUp.set(true);
        h.handle(e);
        assertEquals(CircuitBreaker.State.HALF_OPEN, policy.breaker().getState());
        h.handle(e);
        assertEquals(CircuitBreaker.State.CLOSED, policy.breaker().getState());
        assertEquals(8, calls.get());
    }

    @Test
    void rejectionsDoNotCountAgainstTheBreaker() throws Exception {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder("x").slidingWindowSize(2).minimumCalls(2)
                .clock(new SettableClock()).build();
        EventHandler h = HandlerChain.of(e -> {
            throw new EventRejectedException("bad data");
        }).use(Middleware.circuitBreaker(policy)).build();
        for (int i = 0; i < 5; i++) {
            assertThrows(EventRejectedException.class, () -> h.handle(received("data.EntityCreated", 1)));
        }
        assertEquals(CircuitBreaker.State.CLOSED, policy.breaker().getState());
    }

    @Test
    void retryCallsAgainWithGrowingJitteredBackoffThenGivesUp() {
        List<Duration> waits = new ArrayList<>();
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(4).initialBackoff(Duration.ofMillis(100))
                .multiplier(2).maxBackoff(Duration.ofMillis(300)).jitter(0.5).sleeper(waits::add).build();
        AtomicInteger calls = new AtomicInteger();
        EventHandler h = HandlerChain.of(e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("flaky");
        }).use(Middleware.retry(policy)).build();
        assertThrows(IllegalStateException.class, () -> h.handle(received("data.EntityCreated", 1)));
        assertEquals(4, calls.get());
        assertEquals(3, waits.size());
        long[][] bounds = {{50, 100}, {100, 200}, {150, 300}}; // base 100, 200, 300 (capped), minus up to 50 %
        for (int i = 0; i < 3; i++) {
            long ms = waits.get(i).toMillis();
            assertTrue(ms >= bounds[i][0] && ms <= bounds[i][1], "wait " + i + " was " + ms + " ms");
        }
    }

    @Test
    void retryStopsAtSuccessAndNeverRetriesARejection() throws Exception {
        RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).sleeper(d -> { }).build();
        AtomicInteger calls = new AtomicInteger();
        HandlerChain.of(e -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky");
            }
        }).use(Middleware.retry(policy)).build().handle(received("data.EntityCreated", 1));
        assertEquals(3, calls.get());
        AtomicInteger rejected = new AtomicInteger();
        EventHandler h = HandlerChain.of(e -> {
            rejected.incrementAndGet();
            throw new EventRejectedException("never valid");
        }).use(Middleware.retry(policy)).build();
        assertThrows(EventRejectedException.class, () -> h.handle(received("data.EntityCreated", 1)));
        assertEquals(1, rejected.get());
    }

    @Test
    void timeoutInterruptsASlowHandler() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        EventHandler h = HandlerChain.of(e -> {
            try {
                never.await();
            } catch (InterruptedException ie) {
                interrupted.countDown();
                throw ie;
            }
        }).use(Middleware.timeout(Duration.ofMillis(50))).build();
        assertThrows(HandlerTimeoutException.class, () -> h.handle(received("data.EntityCreated", 1)));
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the handler's thread was interrupted");
        AtomicInteger ok = new AtomicInteger();
        HandlerChain.of(e -> ok.incrementAndGet()).use(Middleware.timeout(Duration.ofSeconds(5))).build()
                .handle(received("data.EntityCreated", 1));
        assertEquals(1, ok.get());
    }

    @Test
    void validationRejectsNamingTheFieldBeforeTheHandlerRuns() {
        AtomicInteger calls = new AtomicInteger();
        EventHandler h = HandlerChain.of(e -> calls.incrementAndGet())
                .use(Middleware.validation(EventSchemas.fromClasspath())).build();
        EventRejectedException e = assertThrows(EventRejectedException.class,
                () -> h.handle(received("communication.EmailSendRequested", 1)));
        assertTrue(e.getMessage().contains("SCHEMA_VALIDATION_ERROR") && e.getMessage().contains("data.to"),
                e.getMessage());
        assertEquals(0, calls.get());
    }

    @Test
    void errorHandlerDecidesRetryRejectOrAcknowledge() throws Exception {
        EventHandler failing = e -> {
            throw new IllegalArgumentException(e.envelope().source());
        };
        ErrorHandler decide = (e, error) -> switch ((int) e.deliveredCount()) {
            case 1 -> ErrorHandler.Decision.RETRY;
            case 2 -> ErrorHandler.Decision.REJECT;
            default -> ErrorHandler.Decision.ACKNOWLEDGE;
        };
        EventHandler h = HandlerChain.of(failing).use(Middleware.errorHandling(decide)).build();
        assertThrows(IllegalArgumentException.class, () -> h.handle(received("data.EntityCreated", 1)));
        assertThrows(EventRejectedException.class, () -> h.handle(received("data.EntityCreated", 2)));
        h.handle(received("data.EntityCreated", 3));
    }

    @Test
    void idempotencyRunsAKeyOnceAndReleasesItAfterAFailure() throws Exception {
        InMemoryProcessingLog log = new InMemoryProcessingLog(new SettableClock());
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean fail = new AtomicBoolean(true);
        EventHandler h = HandlerChain.of(e -> {
            calls.incrementAndGet();
            if (fail.get()) {
                throw new IllegalStateException("first try fails");
            }
        }).use(Middleware.idempotency("mailer", log)).build();
        ReceivedEvent e = received("data.EntityCreated", 1);
        assertThrows(IllegalStateException.class, () -> h.handle(e));
        fail.set(false);
        h.handle(e);
        h.handle(e);
        assertEquals(2, calls.get(), "the failed try released the key; the success was the last run");
    }

    @Test
    void historyRecordsEachOutcomeAndTheChainRunsOutsideIn() throws Exception {
        List<String> order = new ArrayList<>();
        List<EventHistory.Outcome> outcomes = new ArrayList<>();
        HandlerMiddleware tag1 = next -> e -> {
            order.add("outer");
            next.handle(e);
        };
        HandlerMiddleware tag2 = next -> e -> {
            order.add("inner");
            next.handle(e);
        };
        EventHandler h = HandlerChain.of(e -> order.add("handler"))
                .use(Middleware.history("h", (name, e, outcome, took, error) -> outcomes.add(outcome)))
                .use(tag1).use(tag2).use(Middleware.logging("h")).build();
        h.handle(received("data.EntityCreated", 1));
        assertEquals(List.of("outer", "inner", "handler"), order);
        EventHandler failing = HandlerChain.of(e -> {
            throw new IllegalStateException("x");
        }).use(Middleware.history("h", (name, e, outcome, took, error) -> outcomes.add(outcome))).build();
        assertThrows(IllegalStateException.class, () -> failing.handle(received("data.EntityCreated", 1)));
        assertEquals(List.of(EventHistory.Outcome.SUCCEEDED, EventHistory.Outcome.FAILED), outcomes);
    }

    @Test
    void policiesValidateNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0).build())
                .getMessage().startsWith("maxAttempts"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().jitter(2).build())
                .getMessage().startsWith("jitter"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CircuitBreakerPolicy.builder("x").failureRateThreshold(0).build()).getMessage()
                .startsWith("failureRateThreshold"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CircuitBreakerPolicy.builder("x").waitInOpenState(Duration.ZERO).build()).getMessage()
                .startsWith("waitInOpenState"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Middleware.timeout(Duration.ZERO))
                .getMessage().startsWith("timeout"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Middleware.idempotency(" ", new InMemoryProcessingLog())).getMessage().startsWith("handlerName"));
    }
}
