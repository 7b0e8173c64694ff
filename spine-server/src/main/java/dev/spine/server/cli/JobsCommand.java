package dev.spine.server.cli;

import dev.spine.jobs.JobInfo;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine jobs <id>} shows one job wherever it is; {@code spine jobs --correlation-id X} lists them;
 * {@code spine jobs cancel <id>} cancels one that has not started.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Shows a job by id, or lists the jobs of a correlation id.", subcommands = JobsCommand.Cancel.class)
final class JobsCommand extends SpineCommand {
    @Parameters(arity = "0..1", paramLabel = "JOB_ID", description = "the job's id")
    UUID id;

    @Option(names = "--correlation-id", paramLabel = "ID", description = "list the jobs of this correlation id")
    String correlationId;

    @Option(names = "--limit", defaultValue = "50", description = "most jobs listed (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print JSON (an object for a job id, an array for a correlation id)")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        if ((id == null) == (correlationId == null)) {
            throw CommandFailure.invalid("MISSING_FIELD", "id", "give a job id or --correlation-id, not both");
        }
        if (id != null) {
            JobInfo j = backends.jobs().find(id).orElseThrow(() -> CommandFailure.notFound("id", "no job " + id));
            if (json) {
                out().println(JsonOutput.row(j));
                return OK;
            }
            out().printf("id:            %s%nqueue:         %s%ntype:          %s%nstate:         %s%n"
                    + "attempt:       %d of %d%npriority:      %d%ncorrelationId: %s%ncreatedAt:     %s%n"
                    + "finishedAt:    %s%npayload:       %s%nerrors:        %s%n", j.id(), j.queue(), j.type(), j.state(),
                    j.attempt(), j.maxAttempts(), j.priority(), j.correlationId(), j.createdAt(), j.finishedAt(),
                    j.payloadJson(), j.errorsJson());
            return OK;
        }
        if (limit < 1) {
            throw CommandFailure.invalid("INVALID_FIELD", "limit", "must be >= 1, was " + limit);
        }
        List<JobInfo> jobs = backends.jobs().findByCorrelationId(correlationId, limit);
        if (json) {
            JsonOutput.print(out(), jobs);
            return jobs.isEmpty() ? NOT_FOUND : OK;
        }
        out().printf("%-36s %-12s %-28s %-10s %7s  %s%n", "ID", "QUEUE", "TYPE", "STATE", "ATTEMPT", "CREATED");
        for (JobInfo j : jobs) {
            out().printf("%-36s %-12s %-28s %-10s %7d  %s%n", j.id(), j.queue(), j.type(), j.state(), j.attempt(),
                    j.createdAt());
        }
        return jobs.isEmpty() ? NOT_FOUND : OK;
    }

    /** {@code spine jobs cancel <id>}: as {@code POST /v1/jobs/{id}/cancel}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a job that has not started.")
    static final class Cancel extends SpineCommand {
        @Parameters(paramLabel = "JOB_ID", description = "the job's id")
        UUID id;

        @Override
        int run(Backends backends) {
            if (backends.jobs().cancel(id)) {
                out().println("cancelled " + id + ": it moved to the archive as cancelled");
                return OK;
            }
            JobInfo job = backends.jobs().find(id).orElseThrow(() -> CommandFailure.notFound("id", "no job " + id));
            throw CommandFailure.invalid("NOT_CANCELLABLE", "id", "job " + id + " is " + job.state()
                    + ": only a job that has not started can be cancelled");
        }
    }
}
