package dev.spine.events;

import dev.spine.contracts.EventEnvelope;

/**
 * One delivery of an event: the decoded envelope and where it came from. {@code deliveredCount} is
 * 1 on the first delivery and grows with each redelivery.
 */
public record ReceivedEvent(EventEnvelope envelope, String subject, String stream, long streamSequence,
        long deliveredCount) {

    /** True if this event was delivered before (the handler may already have run for it). */
    public boolean isRedelivery() {
        return deliveredCount > 1;
    }
}
