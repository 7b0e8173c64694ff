package dev.spine.server.cli;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.UnservedType;
import dev.spine.jobs.WorkerInfo;
import dev.spine.server.http.WorkerViews;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine workers}: the worker registry, read now in PostgreSQL: each process with its queues (and
 * handler threads), job types and last heartbeat, then the waiting job types no live worker serves.
 * {@code --json} prints the document of {@code GET /v1/workers}.
 */
@Command(name = "workers", mixinStandardHelpOptions = true,
        description = "Lists the worker processes (queues, job types, heartbeat) and the job types nobody serves.")
final class WorkersCommand extends SpineCommand {
    @Option(names = "--json", description = "print JSON, as GET /v1/workers answers")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        JobQueue jobs = backends.jobs();
        List<WorkerInfo> workers = jobs.workers();
        List<UnservedType> unserved = jobs.unservedTypes();
        if (json) {
            out().println(JsonReplies.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(WorkerViews.registry(workers, unserved)));
            return OK;
        }
        out().printf("%-36s %-20s %-5s %-24s %-30s %s%n", "WORKER", "HOST", "LIVE", "HEARTBEAT", "QUEUES", "TYPES");
        for (WorkerInfo w : workers) {
            String queues = w.queues().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                    .collect(Collectors.joining(","));
            String types = w.types().isEmpty() ? "-" : String.join(",", w.types());
            out().printf("%-36s %-20s %-5s %-24s %-30s %s%n", w.id(), w.host(), w.live() ? "yes" : "no",
                    w.heartbeatAt(), queues.isEmpty() ? "-" : queues, types);
        }
        out().println();
        if (unserved.isEmpty()) {
            out().println("every waiting job type has a live worker");
            return OK;
        }
        out().printf("%-20s %-40s %10s%n", "UNSERVED QUEUE", "TYPE", "WAITING");
        for (UnservedType u : unserved) {
            out().printf("%-20s %-40s %10d%n", u.queue(), u.type(), u.waiting());
        }
        return OK;
    }
}
