package dev.spine.events.middleware;

import dev.spine.contracts.EventSchemas;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.EventRejectedException;
import dev.spine.events.ReceivedEvent;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The built-in {@link HandlerMiddleware}s; compose them with {@link HandlerChain}. */
public final class Middleware {
    /** How long an idempotency claim holds before another delivery may take it over. */
    public static final Duration DEFAULT_IDEMPOTENCY_LEASE = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(Middleware.class);

    private Middleware() {}

    /**
     * Puts {@code handler} into the SLF4J MDC while the handler runs (the subscription has already put the
     * event's keys, {@link dev.spine.events.EventLogContext}), and logs each delivery's end at DEBUG with its
     * duration (failures are logged once, by the subscription that retries or dead-letters them).
     */
    public static HandlerMiddleware logging(String handlerName) {
        Logger log = LoggerFactory.getLogger("spine.handler." + handlerName);
        return next -> event -> {
            long start = System.nanoTime();
            try (MDC.MDCCloseable d = MDC.putCloseable("handler", handlerName)) {
                next.handle(event);
                if (log.isDebugEnabled()) {
                    log.debug("{} handled in {} us", event.envelope(), (System.nanoTime() - start) / 1000);
                }
            }
        };
    }

    /**
     * Checks each received event against {@code schemas} before the handler sees it; an event that breaks
     * its schema can never succeed, so it is rejected ({@link EventRejectedException}: dead letter now)
     * with the {@code SCHEMA_VALIDATION_ERROR} message naming the field.
     */
    public static HandlerMiddleware validation(EventSchemas schemas) {
        Objects.requireNonNull(schemas, "schemas");
        return next -> event -> {
            try {
                schemas.validate(event.envelope());
            } catch (InvalidEventException e) {
                throw new EventRejectedException(e.getMessage(), e);
            }
            next.handle(event);
        };
    }

    /** {@link #idempotency(String, ProcessingLog, Function, Duration)} keyed by eventId. */
    public static HandlerMiddleware idempotency(String handlerName, ProcessingLog log) {
        return idempotency(handlerName, log, e -> e.envelope().eventId().toString(), DEFAULT_IDEMPOTENCY_LEASE);
    }

    /**
     * Runs the handler at most once per key for {@code handlerName}, across redeliveries and instances:
     * before the handler the key is claimed in {@code log}; after success it is marked done (a later
     * delivery with that key is acknowledged without running the handler); after failure the claim is
     * released so the retry runs. A delivery finding a live claim of another one fails (retried later).
     * The handler must finish within {@code lease}, or another delivery may take the key over.
     *
     * <p>What this cannot do: a crash after the handler's side effect and before {@code complete} runs
     * it again once the lease ends (at-least-once remains; for exactly-once effects write them in the
     * same PostgreSQL transaction as the log, see {@code PostgresProcessingLog}).
     *
     * @param key the handler's idempotency key of an event, e.g. {@code e -> e.envelope().data().get("orderId").asText()}
     */
    public static HandlerMiddleware idempotency(String handlerName, ProcessingLog log,
            Function<ReceivedEvent, String> key, Duration lease) {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(key, "key");
        if (handlerName == null || handlerName.isBlank()) {
            throw new IllegalArgumentException("handlerName must be non-blank");
        }
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be a positive duration, got " + lease);
        }
        return next -> event -> {
            String k = key.apply(event);
            if (k == null || k.isEmpty()) {
                throw new EventRejectedException("idempotency key of " + event.envelope() + " for " + handlerName
                        + " is empty");
            }
            switch (log.tryStart(handlerName, k, lease)) {
                case ALREADY_DONE -> LOG.debug("{}: {} already processed (key {}); acknowledging", handlerName,
                        event.envelope(), k);
                case IN_PROGRESS -> throw new IllegalStateException(handlerName + ": key " + k
                        + " is being processed by another delivery; retrying later");
                case STARTED -> {
                    try {
                        next.handle(event);
                    } catch (Exception | Error e) {
                        log.release(handlerName, k);
                        throw e;
                    }
                    log.complete(handlerName, k);
                }
            }
        };
    }

    /**
     * Calls the handler again in this process when it fails, up to {@code policy.maxAttempts()} calls,
     * waiting the policy's backoff (with jitter) between them; then the last error goes to the
     * subscription. Rejections are not retried.
     */
    public static HandlerMiddleware retry(RetryPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return next -> event -> {
            for (int attempt = 1; ; attempt++) {
                try {
                    next.handle(event);
                    return;
                } catch (EventRejectedException e) {
                    throw e;
                } catch (Exception e) {
                    if (attempt >= policy.maxAttempts()) {
                        throw e;
                    }
                    Duration wait = policy.backoffAfter(attempt);
                    LOG.debug("{} failed on attempt {} of {} ({}); again in {}", event.envelope(), attempt,
                            policy.maxAttempts(), e.toString(), wait);
                    policy.sleeper().sleep(wait);
                }
            }
        };
    }

    /**
     * Fails the delivery with {@link HandlerTimeoutException} when the handler runs longer than
     * {@code timeout}, interrupting it (a handler that ignores interrupts keeps its thread until it
     * returns). The handler runs on a pooled daemon thread with the caller's trace context.
     */
    public static HandlerMiddleware timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be a positive duration, got " + timeout);
        }
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "spine-handler-timeout");
            t.setDaemon(true);
            return t;
        });
        return next -> event -> {
            Future<?> f = pool.submit(Context.current().wrap(() -> {
                next.handle(event);
                return null;
            }));
            try {
                f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new HandlerTimeoutException(event.envelope().eventId().toString(), timeout);
            } catch (InterruptedException e) {
                f.cancel(true);
                throw e;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        };
    }

    /**
     * Calls the handler only while {@code policy}'s breaker permits: when open, the delivery fails with
     * {@link CircuitOpenException} without calling the handler (the subscription retries it later). Handler
     * failures count against the breaker; rejections do not (they are about the event, not the downstream).
     */
    public static HandlerMiddleware circuitBreaker(CircuitBreakerPolicy policy) {
        CircuitBreaker breaker = policy.breaker();
        return next -> event -> {
            try {
                breaker.acquirePermission();
            } catch (CallNotPermittedException e) {
                throw new CircuitOpenException(breaker.getName(), e);
            }
            long start = System.nanoTime();
            try {
                next.handle(event);
            } catch (EventRejectedException e) {
                breaker.releasePermission();
                throw e;
            } catch (Exception | Error e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                throw e;
            }
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        };
    }

    /** Lets {@code errors} decide what each handler failure means (retry, reject now, or acknowledge). */
    public static HandlerMiddleware errorHandling(ErrorHandler errors) {
        Objects.requireNonNull(errors, "errors");
        return next -> event -> {
            try {
                next.handle(event);
            } catch (EventRejectedException e) {
                throw e;
            } catch (Exception e) {
                switch (Objects.requireNonNull(errors.onError(event, e), "ErrorHandler returned no decision")) {
                    case RETRY -> throw e;
                    case REJECT -> throw new EventRejectedException(e.getMessage(), e);
                    case ACKNOWLEDGE -> LOG.warn("{}: failure acknowledged by the error handler, not retried",
                            event.envelope(), e);
                }
            }
        };
    }

    /** Records every delivery's outcome and duration in {@code history}; a recording failure is logged, not thrown. */
    public static HandlerMiddleware history(String handlerName, EventHistory history) {
        Objects.requireNonNull(history, "history");
        return next -> event -> {
            long start = System.nanoTime();
            try {
                next.handle(event);
            } catch (Exception | Error e) {
                record(history, handlerName, event, e instanceof EventRejectedException
                        ? EventHistory.Outcome.REJECTED : EventHistory.Outcome.FAILED, start, e);
                throw e;
            }
            record(history, handlerName, event, EventHistory.Outcome.SUCCEEDED, start, null);
        };
    }

    private static void record(EventHistory history, String handler, ReceivedEvent event,
            EventHistory.Outcome outcome, long startNanos, Throwable error) {
        try {
            history.record(handler, event, outcome, Duration.ofNanos(System.nanoTime() - startNanos), error);
        } catch (RuntimeException e) {
            // the history is an audit aid: losing one entry must not turn a handled event into a retry
            LOG.warn("{}: cannot record {} of {} in the event history", handler, outcome, event.envelope(), e);
        }
    }
}
