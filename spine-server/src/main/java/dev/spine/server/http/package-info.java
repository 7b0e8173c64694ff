/**
 * The server's admin HTTP API (Javalin): health, Prometheus metrics, the dashboard and the {@code /v1}
 * operator endpoints, beside the gateway's routes. Internal to this module: {@link dev.spine.server.SpineServer}
 * starts it through {@code AdminServer}; nothing outside the module should use these classes. Every error is
 * {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}; mutating endpoints need the
 * admin bearer token.
 */
package dev.spine.server.http;
