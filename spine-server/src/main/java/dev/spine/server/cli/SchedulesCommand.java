package dev.spine.server.cli;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.jobs.Enqueued;
import dev.spine.jobs.ScheduleInfo;
import dev.spine.server.http.ScheduleViews;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine schedules [list]|trigger <name>|pause <name>|resume <name>}: the cron schedules of the job schema,
 * as the processes running them defined them. A trigger enqueues the schedule's job now (in PostgreSQL: a
 * running service's workers pick it up); pause and resume hold for every process running the schedule.
 */
@Command(name = "schedules", mixinStandardHelpOptions = true,
        description = "Cron schedules: list (next and last fire), trigger now, pause, resume.",
        subcommands = {SchedulesCommand.Trigger.class, SchedulesCommand.Pause.class, SchedulesCommand.Resume.class})
final class SchedulesCommand extends SpineCommand {
    @Option(names = "--json", description = "print JSON, as GET /v1/schedules answers")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        List<ScheduleInfo> schedules = backends.jobs().schedules().list();
        if (json) {
            out().println(JsonReplies.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(ScheduleViews.list(schedules)));
            return OK;
        }
        if (schedules.isEmpty()) {
            out().println("no schedules: none of the processes on this schema has started with one");
            return OK;
        }
        out().printf("%-24s %-16s %-14s %-26s %-12s %-6s %-24s %-24s %s%n", "SCHEDULE", "CRON", "ZONE", "JOB", "QUEUE",
                "PAUSED", "NEXT FIRE", "LAST FIRE", "LAST JOB");
        for (ScheduleInfo s : schedules) {
            out().printf("%-24s %-16s %-14s %-26s %-12s %-6s %-24s %-24s %s%n", s.name(), s.cron(), s.zone(), s.jobType(),
                    s.queue(), s.paused() ? "yes" : "no", dash(s.nextFire()), dash(s.lastFire()),
                    s.lastJobId() == null ? "-" : s.lastJobId() + " " + (s.lastJobState() == null ? "(gone)" : s.lastJobState()));
        }
        return OK;
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }

    /** {@code spine schedules trigger <name> [--key K]}. */
    @Command(name = "trigger", mixinStandardHelpOptions = true, description = "Enqueues the schedule's job now.")
    static final class Trigger extends SpineCommand {
        @Parameters(paramLabel = "NAME", description = "the schedule's name")
        String name;

        @Option(names = "--key", description = "request key: the same key again makes no second job (default: new)")
        String key;

        @Option(names = "--json", description = "print JSON, as POST /v1/schedules/{name}/trigger answers")
        boolean json;

        @Override
        int run(Backends backends) throws Exception {
            Enqueued e = backends.jobs().schedules().trigger(name, key == null ? UUID.randomUUID().toString() : key);
            if (json) {
                out().println(JsonReplies.MAPPER.writeValueAsString(ScheduleViews.triggered(name, e)));
            } else {
                out().println((e.created() ? "triggered " : "already triggered with this key: ") + name + ": job " + e.id());
            }
            return OK;
        }
    }

    /** {@code spine schedules pause <name>}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Its ticks enqueue nothing until resumed.")
    static final class Pause extends SpineCommand {
        @Parameters(paramLabel = "NAME", description = "the schedule's name")
        String name;

        @Override
        int run(Backends backends) {
            backends.jobs().schedules().pause(name);
            out().println("paused " + name + ": its ticks enqueue nothing until it is resumed");
            return OK;
        }
    }

    /** {@code spine schedules resume <name>}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Its next tick enqueues again.")
    static final class Resume extends SpineCommand {
        @Parameters(paramLabel = "NAME", description = "the schedule's name")
        String name;

        @Override
        int run(Backends backends) {
            backends.jobs().schedules().resume(name);
            out().println("resumed " + name + ": its next tick enqueues again (missed ticks are not made up)");
            return OK;
        }
    }
}
