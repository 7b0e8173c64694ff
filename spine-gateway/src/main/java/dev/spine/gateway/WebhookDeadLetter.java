package dev.spine.gateway;

import java.time.Instant;
import java.util.UUID;

/**
 * An event a webhook subscription could not deliver within its attempts: the event as stored, how many
 * attempts were made, the last HTTP status (null when no answer came) and error. Retried by hand with
 * {@code POST /v1/failed-deliveries/{id}/redeliver}; a successful redelivery removes it.
 */
record WebhookDeadLetter(long id, UUID subscriptionId, UUID eventId, StoredEvent event, int attempts,
        Integer lastStatus, String lastError, Instant createdAt, Instant updatedAt) {}
