package dev.spine.server.cli;

import dev.spine.jobs.QueueStats;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spine queues}: one line per queue, counted now in PostgreSQL. */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = "Lists the job queues: paused, available, scheduled, running, dead.")
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
}
