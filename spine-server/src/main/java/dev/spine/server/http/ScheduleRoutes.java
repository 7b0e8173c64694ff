package dev.spine.server.http;

import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.BearerAuth;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.jobs.Enqueued;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobErrorCode;
import dev.spine.jobs.Schedules;
import dev.spine.service.JobService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.UUID;

/**
 * Cron schedules: {@code GET /v1/schedules} (each with its next fire, last fire and that job's state),
 * {@code GET /v1/schedules/{name}}, and, with the admin token, {@code POST /v1/schedules/{name}/trigger} (one job
 * now; the {@code Idempotency-Key} header makes a retried request return the first job instead of a second),
 * {@code .../pause} and {@code .../resume} (for every process running the schedule).
 */
final class ScheduleRoutes {
    /** The request header that makes a trigger idempotent; without it every request fires. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final JobService service;
    private final BearerAuth auth;

    ScheduleRoutes(JobService service, BearerAuth auth) {
        this.service = service;
        this.auth = auth;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/schedules", ctx -> JsonReplies.ok(ctx, ScheduleViews.list(schedules().list())));
        routes.get("/v1/schedules/{name}", ctx -> JsonReplies.ok(ctx, ScheduleViews.schedule(schedules()
                .find(ctx.pathParam("name")).orElseThrow(() -> ApiException.notFound("schedule", ctx.pathParam("name"))))));
        routes.post("/v1/schedules/{name}/trigger", auth.require(this::trigger));
        routes.post("/v1/schedules/{name}/pause", auth.require(ctx -> pause(ctx, true)));
        routes.post("/v1/schedules/{name}/resume", auth.require(ctx -> pause(ctx, false)));
    }

    private Schedules schedules() {
        return service.jobs().schedules();
    }

    private void trigger(Context ctx) {
        String name = ctx.pathParam("name");
        String key = ctx.header(IDEMPOTENCY_KEY);
        if (key != null && (key.isBlank() || key.length() > 200)) {
            throw ApiException.invalid("INVALID_FIELD", IDEMPOTENCY_KEY, "must be 1..200 characters");
        }
        Enqueued e;
        try {
            e = schedules().trigger(name, key == null ? UUID.randomUUID().toString() : key);
        } catch (InvalidJobException err) {
            throw err.code() == JobErrorCode.NOT_FOUND ? ApiException.notFound("schedule", name) : err;
        }
        JsonReplies.write(ctx, e.created() ? 201 : 200, ScheduleViews.triggered(name, e));
    }

    private void pause(Context ctx, boolean pause) {
        String name = ctx.pathParam("name");
        try {
            if (pause) {
                schedules().pause(name);
            } else {
                schedules().resume(name);
            }
        } catch (InvalidJobException e) {
            throw e.code() == JobErrorCode.NOT_FOUND ? ApiException.notFound("schedule", name) : e;
        }
        JsonReplies.ok(ctx, JsonReplies.okBody("schedule", name, "paused", pause));
    }
}
