package dev.spine.jobs;

import dev.spine.jobs.internal.PgScheduleStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The cron schedules of a job schema, for operators: list them, fire one now, pause and resume. Works from any
 * process on the schema (an admin API, the CLI), not only the one whose configuration defines them: the
 * process running a schedule writes its definition when it starts. Pausing is shared by every process: a
 * paused schedule's ticks pass and enqueue nothing until it is resumed (no catch-up of missed ticks).
 */
public final class Schedules {
    /** Key prefix of a triggered job: {@code cron:<name>:trigger:<request key>}; ticks use {@code cron:<name>:<tick>}. */
    static final String TRIGGER_KEY = ":trigger:";

    private final PgScheduleStore store;
    private final Function<JobRequest, Enqueued> enqueue;
    private final Function<java.util.UUID, Optional<JobInfo>> find;
    private final Clock clock;

    Schedules(PgScheduleStore store, Function<JobRequest, Enqueued> enqueue,
            Function<java.util.UUID, Optional<JobInfo>> find, Clock clock) {
        this.store = store;
        this.enqueue = enqueue;
        this.find = find;
        this.clock = clock;
    }

    /** Every defined schedule, by name, with its next fire and its last fire's job state, read now. */
    public List<ScheduleInfo> list() {
        return store.list().stream().map(this::info).toList();
    }

    public Optional<ScheduleInfo> find(String name) {
        return store.find(name).map(this::info);
    }

    /**
     * Enqueues the schedule's job now, once per {@code requestKey}: the same key again (a retried request)
     * returns the job of the first call with {@code created == false}.
     *
     * @throws InvalidJobException {@code NOT_FOUND} (field {@code schedule}) for a name no process defined,
     *     {@code INVALID_FIELD} (field {@code requestKey}) for a blank key
     */
    public Enqueued trigger(String name, String requestKey) {
        if (requestKey == null || requestKey.isBlank()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "requestKey", "a request key is required");
        }
        JobRequest job = store.jobOf(name).orElseThrow(() -> notFound(name));
        Enqueued e = enqueue.apply(job.idempotencyKey("cron:" + name + TRIGGER_KEY + requestKey));
        if (e.created()) {
            store.fired(name, clock.instant(), e.id());
        }
        return e;
    }

    /** Ticks of {@code name} enqueue nothing from now on, in every process. */
    public void pause(String name) {
        if (!store.setPaused(name, true)) {
            throw notFound(name);
        }
    }

    /** Ticks of {@code name} enqueue again from the next one (missed ticks are not made up). */
    public void resume(String name) {
        if (!store.setPaused(name, false)) {
            throw notFound(name);
        }
    }

    private ScheduleInfo info(PgScheduleStore.Stored s) {
        String state = s.lastJobId() == null ? null : find.apply(s.lastJobId()).map(JobInfo::state).orElse(null);
        return new ScheduleInfo(s.name(), s.cron(), s.zone(), s.jobType(), s.queue(), s.paused(), s.nextFire(),
                s.lastFire(), s.lastJobId(), state, s.definedAt());
    }

    private static InvalidJobException notFound(String name) {
        return new InvalidJobException(JobErrorCode.NOT_FOUND, "schedule", "no schedule '" + name + "'");
    }
}
