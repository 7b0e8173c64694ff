package dev.spine.events;

/**
 * How far one durable consumer is behind its stream (NATS) or table (PostgreSQL): the number an operator
 * alerts on as consumer lag.
 *
 * @param stream where the consumer reads (the platform stream, or the events table)
 * @param consumer the durable name
 * @param pending events that match the consumer and have not been delivered to it yet
 * @param unacknowledged events delivered and not yet settled (being handled, or waiting for a redelivery)
 */
public record ConsumerStats(String stream, String consumer, long pending, long unacknowledged) {}
