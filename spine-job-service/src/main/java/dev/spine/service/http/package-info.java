/**
 * The job service's admin HTTP API (Javalin): health, Prometheus metrics and the {@code /v1} operator
 * endpoints. Internal to this module: {@link dev.spine.service.JobService} starts it through
 * {@code AdminServer}; nothing outside the module should use these classes. Every error is
 * {@code {"status":"error","errorCode":...,"message":...,"details":{...}}}; mutating endpoints need the
 * admin bearer token.
 */
package dev.spine.service.http;
