package dev.spine.events;

/**
 * A handler that receives an event's data as its Java class (see {@link dev.spine.contracts.TypedEvent});
 * adapt it with {@link EventHandler#typed}. Same contract as {@link EventHandler}: return to acknowledge,
 * throw to retry.
 */
@FunctionalInterface
public interface TypedEventHandler<T> {
    void handle(T data, ReceivedEvent event) throws Exception;
}
