/**
 * Handler middleware, composable per handler with {@link dev.spine.events.middleware.HandlerChain}:
 * logging, schema validation, idempotency over a {@link dev.spine.events.middleware.ProcessingLog},
 * in-process retries ({@link dev.spine.events.middleware.RetryPolicy}), a timeout, a circuit breaker
 * ({@link dev.spine.events.middleware.CircuitBreakerPolicy}), error handling and an optional
 * {@link dev.spine.events.middleware.EventHistory}. Each middleware is an
 * {@link dev.spine.events.middleware.HandlerMiddleware}: it wraps the handler and keeps the
 * {@link dev.spine.events.EventHandler} contract (return = ack, throw = retry later,
 * {@link dev.spine.events.EventRejectedException} = dead letter now).
 */
package dev.spine.events.middleware;
