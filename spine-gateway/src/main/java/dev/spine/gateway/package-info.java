/**
 * The event bus as an HTTP service, for services outside the JVM and for browsers: publishers with API
 * keys limited to their event types ({@code POST /v1/events}, receipts, idempotent retries), the event
 * store and its queries (by id, type, source, correlation, time, partition key), subscriptions with data
 * filters delivered by signed webhook (retries with exponential backoff, per-subscription dead letters)
 * or pushed live by SSE and WebSocket (resumable from the last event id), and the OpenAPI document.
 *
 * <p>Entry points: {@link dev.spine.gateway.Gateway} (started by the server, spine-server, when
 * {@code SPINE_BUS_ENABLED=true}; its routes registered on the server's HTTP port),
 * {@link dev.spine.gateway.GatewayConfig} (the {@code SPINE_BUS_*} settings) and
 * {@link dev.spine.gateway.WebhookSignature} (what a receiver uses to verify a delivery). Everything
 * here runs on its own PostgreSQL pool and its own durables of the engine's {@code EventBus} (any backend:
 * NATS, PostgreSQL, in memory; no jnats here): nothing is added to the event-to-job path.
 */
package dev.spine.gateway;
