package dev.spine.events;

/** A {@link Spine#query} got no usable answer; {@link #reason()} says why. */
public final class QueryException extends SpineException {

    /** Why a query failed. */
    public enum Reason {
        /** No responder is subscribed to the query's type (answered at once by the server). */
        NO_RESPONDERS,
        /** No answer within the timeout (a responder may still be working on it). */
        TIMEOUT,
        /** The responder threw; the message is its error. */
        RESPONDER_FAILED,
        /** The responder could not read the query (not a valid envelope). */
        INVALID_REQUEST,
        /** The answer is not a valid envelope. */
        INVALID_REPLY,
        /** The calling thread was interrupted. */
        INTERRUPTED
    }

    private final Reason reason;
    private final String eventType;

    public QueryException(Reason reason, String eventType, String message, Throwable cause) {
        super(reason + " for query " + eventType + ": " + message, cause);
        this.reason = reason;
        this.eventType = eventType;
    }

    public Reason reason() {
        return reason;
    }

    /** The query's event type. */
    public String eventType() {
        return eventType;
    }
}
