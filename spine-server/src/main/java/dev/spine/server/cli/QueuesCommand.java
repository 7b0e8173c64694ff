package dev.spine.server.cli;

import dev.spine.jobs.QueueStats;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine queues}: one line per queue, counted now in PostgreSQL; {@code spine queues pause|resume NAME}
 * stops or restarts every process starting jobs of the queue (as {@code POST /v1/queues/{name}/pause}).
 */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = "Lists the job queues: paused, available, scheduled, running, dead.",
        subcommands = {QueuesCommand.Pause.class, QueuesCommand.Resume.class})
final class QueuesCommand extends SpineCommand {
    @Option(names = "--json", description = "print a JSON array instead of a table")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        List<QueueStats> stats = backends.jobs().stats();
        if (json) {
            JsonOutput.print(out(), stats);
            return OK;
        }
        out().printf("%-20s %-7s %10s %10s %10s %10s%n", "QUEUE", "PAUSED", "AVAILABLE", "SCHEDULED", "RUNNING", "DEAD");
        for (QueueStats s : stats) {
            out().printf("%-20s %-7s %10d %10d %10d %10d%n", s.queue(), s.paused() ? "yes" : "no", s.available(),
                    s.scheduled(), s.running(), s.dead());
        }
        return OK;
    }

    /** {@code spine queues pause NAME}. */
    @Command(name = "pause", mixinStandardHelpOptions = true, description = "No process starts jobs of the queue.")
    static final class Pause extends SpineCommand {
        @Parameters(paramLabel = "QUEUE", description = "the queue")
        String queue;

        @Override
        int run(Backends backends) {
            backends.jobs().pause(queue);
            out().println("paused " + queue + ": no process starts its jobs (running ones finish) until it is resumed");
            return OK;
        }
    }

    /** {@code spine queues resume NAME}. */
    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Processes start jobs of the queue again.")
    static final class Resume extends SpineCommand {
        @Parameters(paramLabel = "QUEUE", description = "the queue")
        String queue;

        @Override
        int run(Backends backends) {
            backends.jobs().resume(queue);
            out().println("resumed " + queue);
            return OK;
        }
    }
}
