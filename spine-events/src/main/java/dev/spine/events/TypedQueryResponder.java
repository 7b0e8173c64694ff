package dev.spine.events;

/**
 * Answers typed queries ({@link Spine#respond(dev.spine.contracts.TypedEvent, String,
 * dev.spine.contracts.TypedEvent, TypedQueryResponder)}): receives the query's data as its record and
 * returns the answer's record. Throwing reports {@code RESPONDER_FAILED} to the caller.
 */
@FunctionalInterface
public interface TypedQueryResponder<Q, A> {
    A answer(Q query, ReceivedEvent event) throws Exception;
}
