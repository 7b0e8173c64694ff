package dev.spine.gateway;

import java.time.Instant;
import java.util.UUID;

/**
 * A page of stored events in stream order: those after stream sequence {@code after} matching every
 * given (non-null) criterion; {@code from} inclusive, {@code to} exclusive, on the event's timestamp.
 */
record EventQuery(String type, String source, UUID correlationId, Instant from, Instant to, long after,
        int limit) {}
