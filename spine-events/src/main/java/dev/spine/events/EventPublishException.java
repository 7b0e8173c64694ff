package dev.spine.events;

/**
 * A valid event could not be stored. {@link #reason()} says whether retrying later can help. Invalid
 * envelopes and unregistered domains never get here: they fail earlier with
 * {@link dev.spine.contracts.InvalidEventException}, before anything is sent.
 */
public final class EventPublishException extends SpineException {

    /** Why a publish failed. */
    public enum Reason {
        /** No acknowledgement after every retry (server down, no stream, timeout); safe to retry later. */
        UNAVAILABLE,
        /** Refused: by JetStream (e.g. stream sealed or full with discard-new) or by the connection's NATS permissions. */
        REJECTED,
        /** The in-flight limit was reached and the publisher is configured to fail fast. */
        BACKPRESSURE,
        /** The calling thread was interrupted while waiting for an in-flight slot. */
        INTERRUPTED
    }

    private final Reason reason;
    private final String eventId;

    public EventPublishException(Reason reason, String eventId, String message, Throwable cause) {
        super(reason + " publishing event " + eventId + ": " + message, cause);
        this.reason = reason;
        this.eventId = eventId;
    }

    public Reason reason() {
        return reason;
    }

    /** The event that was not stored. */
    public String eventId() {
        return eventId;
    }
}
