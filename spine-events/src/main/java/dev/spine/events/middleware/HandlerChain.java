package dev.spine.events.middleware;

import dev.spine.events.EventHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A handler with middleware around it, composed per handler. The first middleware added is the
 * outermost: in
 * <pre>{@code
 * EventHandler h = HandlerChain.of(this::index)
 *         .use(Middleware.logging("indexer"))
 *         .use(Middleware.validation(schemas))
 *         .use(Middleware.idempotency("indexer", processingLog))
 *         .use(Middleware.circuitBreaker(CircuitBreakerPolicy.builder("search").build()))
 *         .use(Middleware.retry(RetryPolicy.builder().maxAttempts(3).build()))
 *         .use(Middleware.timeout(Duration.ofSeconds(5)))
 *         .build();
 * }</pre>
 * logging sees everything, validation runs before the processing log is touched, and each retry gets
 * its own timeout. Put idempotency outside retry (one claim for all attempts) and the breaker outside
 * retry (a burst of retries counts once).
 */
public final class HandlerChain {
    private final EventHandler handler;
    private final List<HandlerMiddleware> middlewares = new ArrayList<>();

    private HandlerChain(EventHandler handler) {
        this.handler = handler;
    }

    public static HandlerChain of(EventHandler handler) {
        return new HandlerChain(Objects.requireNonNull(handler, "handler"));
    }

    /** Adds a middleware inside the ones added before it. */
    public HandlerChain use(HandlerMiddleware middleware) {
        middlewares.add(Objects.requireNonNull(middleware, "middleware"));
        return this;
    }

    public EventHandler build() {
        EventHandler h = handler;
        for (int i = middlewares.size() - 1; i >= 0; i--) {
            h = Objects.requireNonNull(middlewares.get(i).wrap(h), "middleware returned no handler");
        }
        return h;
    }
}
