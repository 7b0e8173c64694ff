package dev.spine.jobs.internal;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Cron schedules on db-scheduler: one recurring task per schedule, in the queue's schema. db-scheduler
 * runs each tick in one process only; the enqueue also carries the key {@code cron:<name>:<tick>}, so a
 * tick yields exactly one job even if a tick were ever executed twice. A tick of a paused schedule (the
 * schedules table, shared by every process) enqueues nothing; one that enqueues is recorded as its last fire.
 */
public final class CronScheduler implements AutoCloseable {
    private final DataSource dataSource;
    private final String schema;
    private final List<CronSchedule> schedules;
    private final Duration pollInterval;
    private final Function<JobRequest, UUID> enqueue;
    private final PgScheduleStore store;
    private Scheduler scheduler;

    /** Keeps the configuration only: db-scheduler is built (it opens a connection to detect the database) on start. */
    public CronScheduler(DataSource dataSource, String schema, List<CronSchedule> schedules, Duration pollInterval,
            Function<JobRequest, UUID> enqueue, PgScheduleStore store) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.schedules = List.copyOf(schedules);
        this.pollInterval = pollInterval;
        this.enqueue = enqueue;
        this.store = store;
    }

    static String tickKey(String name, Instant tick) {
        return "cron:" + name + ":" + tick;
    }

    public synchronized void start() {
        if (scheduler != null) {
            throw new IllegalStateException("already started");
        }
        List<RecurringTask<Void>> tasks = new ArrayList<>();
        for (CronSchedule s : schedules) {
            tasks.add(Tasks.recurring(s.name(), Schedules.cron(s.expression(), s.zone())).execute((instance, context) -> {
                Instant tick = context.getExecution().executionTime;
                if (store.paused(s.name())) {
                    return;
                }
                store.fired(s.name(), tick, enqueue.apply(s.job().idempotencyKey(tickKey(s.name(), tick))));
            }));
        }
        scheduler = Scheduler.create(dataSource)
                .tableName(schema + ".scheduled_tasks")
                .startTasks(tasks)
                .pollingInterval(pollInterval)
                .threads(2)
                .shutdownMaxWait(Duration.ofSeconds(5))
                .build();
        scheduler.start();
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.stop();
        }
    }
}
