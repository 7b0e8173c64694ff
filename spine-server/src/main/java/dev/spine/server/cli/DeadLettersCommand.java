package dev.spine.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.jobs.DeadJob;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine dead-letters [list]|retry <id>|delete <id>}: the jobs that used up their attempts. A retried job is
 * due at once with its attempts reset; a NOTIFY wakes a running service's workers. {@code --json} prints what
 * {@code GET /v1/dead-letters} answers: a page of items and the cursor of the next.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Dead letters (jobs that used up their attempts): list, retry, delete.",
        subcommands = {DeadLettersCommand.ListDead.class, DeadLettersCommand.RetryDead.class, DeadLettersCommand.DeleteDead.class})
final class DeadLettersCommand extends CommandGroup {

    /** {@code spine dead-letters list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, newest first.")
    static final class ListDead extends SpineCommand {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--queue", description = "only this queue")
        String queue;

        @Option(names = "--type", description = "only this job type")
        String type;

        @Mixin
        LimitOption limit;

        @Option(names = "--json", description = "print a JSON array (every field, all errors) instead of a table")
        boolean json;

        @Override
        int run(Backends backends) throws Exception {
            List<DeadJob> dead = backends.jobs().deadJobs(queue, type, limit.value());
            if (json) {
                JsonOutput.print(out(), dead);
                return OK;
            }
            out().printf("%-36s %-12s %-28s %8s  %-24s  %s%n", "ID", "QUEUE", "TYPE", "ATTEMPTS", "DIED", "LAST ERROR");
            for (DeadJob d : dead) {
                out().printf("%-36s %-12s %-28s %8d  %-24s  %s%n", d.id(), d.queue(), d.type(), d.attempts(), d.diedAt(),
                        lastError(d.errorsJson()));
            }
            return OK;
        }

        /** The last attempt's error from the errors array ({@code [{"attempt":..,"at":..,"error":..}]}). */
        static String lastError(String errorsJson) throws Exception {
            if (errorsJson == null) {
                return "";
            }
            JsonNode errors = JSON.readTree(errorsJson);
            if (!errors.isArray() || errors.isEmpty()) {
                return "";
            }
            String error = errors.get(errors.size() - 1).path("error").asText();
            String firstLine = error.lines().findFirst().orElse("");
            return firstLine.length() > 120 ? firstLine.substring(0, 120) + "…" : firstLine;
        }
    }

    /** {@code spine dead-letters retry <id>}. */
    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Puts a dead letter back, due now.")
    static final class RetryDead extends SpineCommand {
        @Parameters(paramLabel = "JOB_ID", description = "the dead letter's job id")
        UUID id;

        @Override
        int run(Backends backends) {
            backends.jobs().redrive(id);
            out().println("retried " + id + ": available again, attempts reset");
            return OK;
        }
    }

    /** {@code spine dead-letters delete <id>}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a dead letter for good.")
    static final class DeleteDead extends SpineCommand {
        @Parameters(paramLabel = "JOB_ID", description = "the dead letter's job id")
        UUID id;

        @Override
        int run(Backends backends) {
            if (!backends.jobs().deleteDead(id)) {
                throw CommandFailure.notFound("id", "no dead letter " + id);
            }
            out().println("deleted dead letter " + id);
            return OK;
        }
    }
}
