package dev.spine.events;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Answers queries of one type ({@link Spine#respond}). Return the answer's {@code data}; the spine sends
 * it back as an envelope that follows up the query (same correlationId, causationId = the query's
 * eventId) of type {@link Spine#replyTypeOf the query's reply type}. Throwing sends the requester a
 * {@link QueryException} with reason {@code RESPONDER_FAILED} and the message, instead of letting it time out.
 */
@FunctionalInterface
public interface QueryResponder {
    ObjectNode answer(ReceivedEvent query) throws Exception;
}
