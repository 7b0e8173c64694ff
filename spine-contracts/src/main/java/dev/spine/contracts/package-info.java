/**
 * What every spine participant agrees on, with no I/O: the {@link dev.spine.contracts.EventEnvelope},
 * {@link dev.spine.contracts.EventType} rules, the registry of {@link dev.spine.contracts.Domains},
 * {@link dev.spine.contracts.JobTier job tiers}, the strict JSON {@link dev.spine.contracts.EventCodec},
 * {@link dev.spine.contracts.EventSchemas JSON Schemas} per event type and version,
 * {@link dev.spine.contracts.TypedEvent typed events} (a record as an event's data)
 * and {@link dev.spine.contracts.InvalidEventException typed errors} with machine-readable codes.
 * Everything here is immutable or thread-safe. {@code dev.spine.contracts.internal} is not API.
 */
package dev.spine.contracts;
