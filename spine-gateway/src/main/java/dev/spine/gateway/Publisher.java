package dev.spine.gateway;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A service registered to publish over HTTP, and the event types (exact or {@code domain.*}) it may
 * publish. {@code keyPrefix} is the start of its API key, enough to tell keys apart in listings; the key
 * itself is stored only as a SHA-256 hash.
 */
record Publisher(UUID id, String name, List<String> allowedTypes, String keyPrefix, Instant createdAt) {
    public Publisher {
        allowedTypes = List.copyOf(allowedTypes);
    }

    /** Whether this publisher may publish events of {@code eventType}. */
    public boolean mayPublish(String eventType) {
        return EventTypes.matchesAny(allowedTypes, eventType);
    }
}
