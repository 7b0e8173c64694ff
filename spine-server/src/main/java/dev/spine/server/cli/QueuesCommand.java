package dev.spine.server.cli;

import dev.spine.jobs.QueueStats;
import picocli.CommandLine.Command;

/** {@code spine queues}: one line per queue, counted now in PostgreSQL. */
@Command(name = "queues", mixinStandardHelpOptions = true,
        description = "Lists the job queues: paused, available, scheduled, running, dead.")
final class QueuesCommand extends SpineCommand {
    @Override
    int run(Backends backends) {
        out().printf("%-20s %-7s %10s %10s %10s %10s%n", "QUEUE", "PAUSED", "AVAILABLE", "SCHEDULED", "RUNNING", "DEAD");
        for (QueueStats s : backends.jobs().stats()) {
            out().printf("%-20s %-7s %10d %10d %10d %10d%n", s.queue(), s.paused() ? "yes" : "no", s.available(),
                    s.scheduled(), s.running(), s.dead());
        }
        return OK;
    }
}
