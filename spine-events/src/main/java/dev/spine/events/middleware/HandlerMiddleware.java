package dev.spine.events.middleware;

import dev.spine.events.EventHandler;

/** Wraps a handler with behaviour before and after it; see {@link Middleware} for the built-in ones. */
@FunctionalInterface
public interface HandlerMiddleware {
    EventHandler wrap(EventHandler next);
}
