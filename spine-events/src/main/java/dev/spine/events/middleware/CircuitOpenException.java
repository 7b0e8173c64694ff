package dev.spine.events.middleware;

/**
 * The handler was not called because its circuit breaker is open; the subscription retries the event
 * after its backoff, like any failure (the event is kept, not dead-lettered early as long as
 * {@code maxDeliver} and backoff outlast the breaker's open time).
 */
public final class CircuitOpenException extends RuntimeException {
    public CircuitOpenException(String breaker, Throwable cause) {
        super("circuit breaker '" + breaker + "' is open; the event will be retried", cause);
    }
}
