package dev.spine.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.RequestParams;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.Job;
import dev.spine.jobs.JobErrorCode;
import dev.spine.jobs.PullWorkers;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Pull workers: services in any language that run job types themselves and pull their jobs over HTTP, with the
 * queue's retries, backoff, timeouts and dead letters. {@code POST /v1/workers} registers one (queues, types,
 * concurrency: in the worker registry beside the job service's own processes), {@code POST /v1/workers/{id}/fetch}
 * claims jobs (long-poll: {@code max}, {@code waitMs}), {@code POST /v1/workers/{id}/heartbeat} keeps it and its
 * jobs alive, {@code POST /v1/jobs/{id}/complete} and {@code POST /v1/jobs/{id}/fail} end an attempt, and
 * {@code DELETE /v1/workers/{id}} unregisters it. All need the admin token, like the other writes. A complete or
 * fail of a job the worker does not hold is a 409 {@code NOT_HELD}.
 */
final class PullWorkerRoutes {
    /** Jobs a fetch claims when the request names no {@code max}. */
    static final int DEFAULT_MAX = 1;

    private final JobService service;
    private final BearerAuth auth;

    PullWorkerRoutes(JobService service, BearerAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/workers", auth.require(this::register));
        routes.post("/v1/workers/{id}/fetch", auth.require(this::fetch));
        routes.post("/v1/workers/{id}/heartbeat", auth.require(this::heartbeat));
        routes.delete("/v1/workers/{id}", auth.require(this::unregister));
        routes.post("/v1/jobs/{id}/complete", auth.require(this::complete));
        routes.post("/v1/jobs/{id}/fail", auth.require(this::fail));
    }

    private PullWorkers pull() {
        return service.jobs().pullWorkers();
    }

    private void register(Context ctx) {
        JsonNode body = JsonReplies.body(ctx);
        List<String> queues = strings(body, "queues");
        List<String> types = strings(body, "types");
        int concurrency = (int) number(body, "concurrency", 1, 1, PullWorkers.MAX_CONCURRENCY);
        String name = optionalText(body, "name");
        UUID id;
        try {
            id = pull().register(name, queues, types, concurrency);
        } catch (InvalidJobException e) {
            // an unknown queue in the body is a bad request, not a missing resource
            throw new ApiException(400, e.code().name(), e.getMessage(), Map.of("field", e.field()));
        }
        JsonReplies.write(ctx, 201, JsonReplies.okBody("id", id.toString(), "queues", queues, "types", types,
                "concurrency", concurrency, "staleAfterMs", pull().staleAfter().toMillis()));
    }

    private void fetch(Context ctx) {
        UUID worker = RequestParams.uuid(ctx, "id");
        JsonNode body = JsonReplies.body(ctx);
        int max = (int) number(body, "max", DEFAULT_MAX, 1, PullWorkers.MAX_FETCH);
        long waitMs = number(body, "waitMs", 0, 0, PullWorkers.MAX_WAIT.toMillis());
        List<Map<String, Object>> items = new ArrayList<>();
        for (PullWorkers.PulledJob p : pull().fetch(worker, max, Duration.ofMillis(waitMs))) {
            items.add(view(p));
        }
        JsonReplies.ok(ctx, Map.of("items", items));
    }

    private void heartbeat(Context ctx) {
        UUID worker = RequestParams.uuid(ctx, "id");
        pull().heartbeat(worker);
        JsonReplies.ok(ctx, JsonReplies.okBody("id", worker.toString()));
    }

    private void unregister(Context ctx) {
        UUID worker = RequestParams.uuid(ctx, "id");
        pull().remove(worker);
        JsonReplies.ok(ctx, JsonReplies.okBody("id", worker.toString(), "deleted", true));
    }

    private void complete(Context ctx) {
        UUID job = RequestParams.uuid(ctx, "id");
        JsonNode body = JsonReplies.body(ctx);
        UUID worker = workerId(body);
        int attempt = (int) number(body, "attempt", 0, 1, Integer.MAX_VALUE);
        try {
            pull().complete(worker, job, attempt);
        } catch (InvalidJobException e) {
            throw notHeld(e, job, worker);
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", job.toString(), "state", "completed"));
    }

    private void fail(Context ctx) {
        UUID job = RequestParams.uuid(ctx, "id");
        JsonNode body = JsonReplies.body(ctx);
        UUID worker = workerId(body);
        int attempt = (int) number(body, "attempt", 0, 1, Integer.MAX_VALUE);
        String error = optionalText(body, "error");
        JsonNode delay = body.get("retryDelayMs");
        Duration retryDelay = delay == null || delay.isNull() ? null
                : Duration.ofMillis(number(body, "retryDelayMs", 0, 0, Duration.ofDays(7).toMillis()));
        try {
            pull().fail(worker, job, attempt, error, retryDelay);
        } catch (InvalidJobException e) {
            throw notHeld(e, job, worker);
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", job.toString(), "state", "failed"));
    }

    private static RuntimeException notHeld(InvalidJobException e, UUID job, UUID worker) {
        if (e.code() == JobErrorCode.NOT_HELD) {
            return new ApiException(409, e.code().name(), e.getMessage(), Map.of("field", "id", "id", job.toString(),
                    "workerId", worker.toString()));
        }
        return e;
    }

    private static Map<String, Object> view(PullWorkers.PulledJob p) {
        Job j = p.job();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id().toString());
        m.put("queue", j.queue());
        m.put("type", j.type());
        m.put("payload", JsonReplies.parse(j.payloadJson()));
        m.put("attempt", j.attempt());
        m.put("maxAttempts", j.maxAttempts());
        m.put("priority", j.priority());
        m.put("correlationId", j.correlationId());
        m.put("traceparent", j.traceparent());
        m.put("tracestate", j.tracestate());
        m.put("createdAt", j.createdAt().toString());
        m.put("timeoutMs", p.timeout().toMillis());
        m.put("deadline", p.deadline().toString());
        return m;
    }

    private static UUID workerId(JsonNode body) {
        JsonNode v = body.get("workerId");
        if (v == null || v.isNull()) {
            throw ApiException.invalid("MISSING_FIELD", "workerId", "workerId (the id POST /v1/workers returned) "
                    + "is required");
        }
        if (!v.isTextual()) {
            throw ApiException.invalid("INVALID_FIELD", "workerId", "workerId must be a UUID string");
        }
        return RequestParams.uuid(v.asText(), "workerId");
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.invalid("MISSING_FIELD", field, field + " (an array of names) is required");
        }
        if (!v.isArray() || v.isEmpty()) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual() || v.get(i).asText().isBlank()) {
                throw ApiException.invalid("INVALID_FIELD", field + "[" + i + "]", "must be a non-blank string");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    private static long number(JsonNode body, String field, long fallback, long min, long max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a whole number " + min + ".." + max
                    + ", was " + v);
        }
        return v.asLong();
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.invalid("INVALID_FIELD", field, field + " must be a string");
        }
        return v.asText();
    }
}
