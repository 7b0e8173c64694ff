package dev.spine.server.http;

import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.Cursor;
import dev.spine.gateway.http.RequestParams;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.gateway.http.ApiException;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.jobs.JobInfo;
import dev.spine.jobs.JobQueue;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Queues, jobs, dead letters (jobs that used up their attempts) and breakers: {@code /v1/queues}, {@code /v1/jobs},
 * {@code /v1/dead-letters}, {@code /v1/breakers}. Reads need the read key; pause, resume, cancel, retry and delete
 * need the admin token. Listings page with {@code limit} and the opaque {@code cursor} of the previous page's
 * {@code next}.
 */
final class JobRoutes {
    /** Rows a list returns when the request names no limit, and the most it may ask for. */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private final JobService service;
    private final BearerAuth auth;

    JobRoutes(JobService service, BearerAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/queues", ctx -> JsonReplies.ok(ctx, Map.of("items",
                jobs().stats().stream().map(JsonViews::queue).toList())));
        routes.post("/v1/queues/{name}/pause", auth.require(ctx -> pause(ctx, true)));
        routes.post("/v1/queues/{name}/resume", auth.require(ctx -> pause(ctx, false)));

        routes.get("/v1/jobs/{id}", this::job);
        routes.get("/v1/jobs", this::jobsByCorrelation);
        routes.post("/v1/jobs/{id}/cancel", auth.require(this::cancel));

        routes.get("/v1/dead-letters", this::deadLetters);
        routes.post("/v1/dead-letters/{id}/retry", auth.require(this::retry));
        routes.delete("/v1/dead-letters/{id}", auth.require(this::deleteDead));

        routes.get("/v1/breakers", ctx -> JsonReplies.ok(ctx, Map.of("breakers", service.breakerStates())));
    }

    private JobQueue jobs() {
        return service.jobs();
    }

    private void pause(Context ctx, boolean pause) {
        String queue = ctx.pathParam("name");
        try {
            if (pause) {
                jobs().pause(queue);
            } else {
                jobs().resume(queue);
            }
        } catch (InvalidJobException e) {
            throw e.code() == JobErrorCode.UNKNOWN_QUEUE ? ApiException.notFound("queue", queue) : e;
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("queue", queue, "paused", pause));
    }

    private void job(Context ctx) {
        UUID id = RequestParams.uuid(ctx, "id");
        JobInfo job = jobs().find(id).orElseThrow(() -> ApiException.notFound("job", id.toString()));
        JsonReplies.ok(ctx, JsonViews.job(job));
    }

    private void jobsByCorrelation(Context ctx) {
        String correlationId = RequestParams.requiredText(ctx, "correlationId");
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Cursor.Key after = Cursor.keyAt(ctx);
        List<JobInfo> found = jobs().findByCorrelationId(correlationId, after == null ? null : after.at(),
                after == null ? null : after.id(), limit);
        JobInfo last = found.size() < limit ? null : found.get(found.size() - 1);
        JsonReplies.ok(ctx, JsonViews.page(found.stream().map(j -> (Object) JsonViews.job(j)).toList(),
                last == null ? null : Cursor.of(last.createdAt(), last.id())));
    }

    private void cancel(Context ctx) {
        UUID id = RequestParams.uuid(ctx, "id");
        if (jobs().cancel(id)) {
            JsonReplies.ok(ctx, JsonReplies.okBody("id", id.toString(), "state", "cancelled"));
            return;
        }
        Optional<JobInfo> job = jobs().find(id);
        if (job.isEmpty()) {
            throw ApiException.notFound("job", id.toString());
        }
        throw new ApiException(409, "NOT_CANCELLABLE", "job " + id + " is " + job.get().state()
                + ": only a job that has not started can be cancelled", Map.of("id", id.toString(),
                        "state", job.get().state()));
    }

    private void deadLetters(Context ctx) {
        String queue = RequestParams.text(ctx, "queue");
        String type = RequestParams.text(ctx, "type");
        int limit = (int) RequestParams.number(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        Cursor.Key before = Cursor.keyAt(ctx);
        List<DeadJob> found = jobs().deadJobs(queue, type, before == null ? null : before.at(),
                before == null ? null : before.id(), limit);
        DeadJob last = found.size() < limit ? null : found.get(found.size() - 1);
        JsonReplies.ok(ctx, JsonViews.page(found.stream().map(d -> (Object) JsonViews.deadJob(d)).toList(),
                last == null ? null : Cursor.of(last.diedAt(), last.id())));
    }

    private void retry(Context ctx) {
        UUID id = RequestParams.uuid(ctx, "id");
        try {
            jobs().redrive(id);
        } catch (InvalidJobException e) {
            throw e.code() == JobErrorCode.NOT_FOUND ? ApiException.notFound("dead letter", id.toString()) : e;
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", id.toString(), "state", "available"));
    }

    private void deleteDead(Context ctx) {
        UUID id = RequestParams.uuid(ctx, "id");
        if (!jobs().deleteDead(id)) {
            throw ApiException.notFound("dead letter", id.toString());
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("id", id.toString(), "deleted", true));
    }
}
