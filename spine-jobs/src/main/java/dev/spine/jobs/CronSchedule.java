package dev.spine.jobs;

import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.regex.Pattern;

/**
 * A recurring job: at every tick of a cron expression (in a time zone), one job from {@code job} is
 * enqueued, exactly once per tick however many processes run the schedule. Expressions have six fields
 * ({@code sec min hour day-of-month month day-of-week}, e.g. {@code 0 *&#47;15 * * * *}) or the classic
 * five (seconds then default to 0).
 */
public final class CronSchedule {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}");

    private final String name;
    private final String cron;
    private final ZoneId zone;
    private final JobRequest job;
    private final String expression;

    private CronSchedule(String name, String cron, ZoneId zone, JobRequest job, String expression) {
        this.name = name;
        this.cron = cron;
        this.zone = zone;
        this.job = job;
        this.expression = expression;
    }

    /**
     * @throws InvalidJobException {@code INVALID_CRON} naming {@code schedules[name].cron} or {@code .zone}
     */
    public static CronSchedule of(String name, String cron, ZoneId zone, JobRequest job) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidJobException(JobErrorCode.INVALID_FIELD, "schedules[].name",
                    "letters, digits, '_', '.', '-', up to 100: " + name);
        }
        String field = "schedules[" + name + "]";
        if (job == null) {
            throw new InvalidJobException(JobErrorCode.MISSING_FIELD, field + ".job", "a job to enqueue is required");
        }
        if (zone == null) {
            throw new InvalidJobException(JobErrorCode.INVALID_CRON, field + ".zone", "a time zone is required");
        }
        if (cron == null || cron.isBlank()) {
            throw new InvalidJobException(JobErrorCode.INVALID_CRON, field + ".cron", "a cron expression is required");
        }
        String expression = cron.trim().split("\\s+").length == 5 ? "0 " + cron.trim() : cron.trim();
        try {
            // parsed here only to fail fast with the field's name; the scheduler parses it again when it starts
            Schedules.cron(expression, zone);
            return new CronSchedule(name, cron, zone, job, expression);
        } catch (RuntimeException e) {
            throw new InvalidJobException(JobErrorCode.INVALID_CRON, field + ".cron",
                    "not a valid cron expression '" + cron + "': " + e.getMessage(), e);
        }
    }

    /** Same as {@link #of(String, String, ZoneId, JobRequest)} with the zone given by id (e.g. Europe/Berlin). */
    public static CronSchedule of(String name, String cron, String zoneId, JobRequest job) {
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneId);
        } catch (DateTimeException | NullPointerException e) {
            throw new InvalidJobException(JobErrorCode.INVALID_CRON, "schedules[" + name + "].zone",
                    "not a time zone: " + zoneId, e);
        }
        return of(name, cron, zone, job);
    }

    public String name() {
        return name;
    }

    public String cron() {
        return cron;
    }

    public ZoneId zone() {
        return zone;
    }

    public JobRequest job() {
        return job;
    }

    /**
     * The expression with six fields (a five-field {@link #cron()} gets {@code 0} seconds prepended), as
     * the queue's scheduler runs it. A string rather than db-scheduler's {@code Schedule}, so that
     * db-scheduler stays out of this module's API.
     */
    public String expression() {
        return expression;
    }
}
