package dev.spine.events.postgres;

import java.time.Instant;
import java.util.UUID;

/**
 * An outbox event the relay gave up on. {@code outboxId} is its place in the outbox: the events of its
 * {@code partitionKey} written after it (higher outbox ids) were published without it, so that key's order
 * on the stream has a gap here until the dead letter is retried (it then comes after them).
 *
 * @param permanent the broker refused it (rejected by JetStream, an invalid envelope), rather than the
 *                  relay running out of attempts
 */
public record OutboxDeadLetter(long id, long outboxId, UUID eventId, String eventType, String partitionKey,
        byte[] payload, Instant createdAt, int attempts, String lastError, boolean permanent, Instant deadAt) {}
