/**
 * Not API (not exported by the module): the engine's ingest loop ({@code EventIngest}), the batch
 * materializer that turns events into jobs ({@code Materializer}), the rejected-events store, replay,
 * per-job-type circuit breakers, lifecycle events, latency objectives and the ingest's metrics and tracing.
 */
package dev.spine.service.internal;
