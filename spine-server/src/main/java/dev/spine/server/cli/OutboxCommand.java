package dev.spine.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.events.postgres.OutboxDeadLetter;
import dev.spine.events.postgres.OutboxDeadLetters;
import dev.spine.server.http.OutboxDeadLetterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine outbox dead list|retry <id>|delete <id>}: the transactional outbox's dead letters in
 * {@code SPINE_OUTBOX_SCHEMA} (events its relay gave up on). A retried one goes back into the outbox as the
 * newest event of its key; the relay of the service that owns the outbox publishes it.
 */
@Command(name = "outbox", mixinStandardHelpOptions = true, description = "The transactional outbox.",
        subcommands = {OutboxCommand.Dead.class})
final class OutboxCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code spine outbox dead}. */
    @Command(name = "dead", mixinStandardHelpOptions = true, description = "Outbox dead letters: list, retry, delete.",
            subcommands = {ListDead.class, RetryDead.class, DeleteDead.class})
    static final class Dead implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** What the three commands share: the dead letters of the configured schema, and --json. */
    abstract static class DeadLetterCommand extends SpineCommand {
        static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--outbox-schema", paramLabel = "SCHEMA", description = "schema of the outbox (default: $SPINE_OUTBOX_SCHEMA)")
        String schema;

        @Option(names = "--json", description = "print JSON instead of a table")
        boolean json;

        OutboxDeadLetters deadLetters(Backends backends) {
            if (schema == null) {
                return OutboxDeadLetters.in(backends.dataSource(), backends.server().outboxSchema());
            }
            try {
                return OutboxDeadLetters.in(backends.dataSource(), schema);
            } catch (IllegalArgumentException e) {
                throw CommandFailure.invalid("INVALID_FIELD", "outbox-schema", e.getMessage());
            }
        }

        void printJson(Object value) throws Exception {
            out().println(JSON.writeValueAsString(value));
        }
    }

    /** {@code spine outbox dead list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists outbox dead letters, newest first.")
    static final class ListDead extends DeadLetterCommand {
        @Option(names = "--limit", defaultValue = "50", description = "most listed (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        int run(Backends backends) throws Exception {
            if (limit < 1) {
                throw CommandFailure.invalid("INVALID_FIELD", "limit", "must be >= 1, was " + limit);
            }
            List<OutboxDeadLetter> dead = deadLetters(backends).list(Long.MAX_VALUE, limit);
            if (json) {
                List<Object> items = new ArrayList<>();
                dead.forEach(d -> items.add(OutboxDeadLetterView.of(d)));
                printJson(Map.of("items", items));
                return OK;
            }
            out().printf("%-8s %-36s %-28s %-20s %8s  %-24s  %s%n", "ID", "EVENT", "TYPE", "KEY", "ATTEMPTS", "DIED",
                    "LAST ERROR");
            for (OutboxDeadLetter d : dead) {
                String error = d.lastError().lines().findFirst().orElse("");
                out().printf("%-8d %-36s %-28s %-20s %8d  %-24s  %s%n", d.id(), d.eventId(), d.eventType(),
                        d.partitionKey() == null ? "" : d.partitionKey(), d.attempts(), d.deadAt(),
                        (d.permanent() ? "[refused] " : "") + (error.length() > 120 ? error.substring(0, 120) + "…" : error));
            }
            return OK;
        }
    }

    /** {@code spine outbox dead retry <id>}. */
    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Puts an outbox dead letter back into the outbox (newest of its key); the relay publishes it.")
    static final class RetryDead extends DeadLetterCommand {
        @Parameters(paramLabel = "ID", description = "the dead letter's id")
        long id;

        @Override
        int run(Backends backends) throws Exception {
            OptionalLong outboxId = deadLetters(backends).retry(id);
            if (outboxId.isEmpty()) {
                throw CommandFailure.notFound("id", "no outbox dead letter " + id);
            }
            if (json) {
                printJson(Map.of("id", id, "outboxId", outboxId.getAsLong()));
            } else {
                out().println("retried outbox dead letter " + id + ": back in the outbox as row " + outboxId.getAsLong());
            }
            return OK;
        }
    }

    /** {@code spine outbox dead delete <id>}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes an outbox dead letter for good.")
    static final class DeleteDead extends DeadLetterCommand {
        @Parameters(paramLabel = "ID", description = "the dead letter's id")
        long id;

        @Override
        int run(Backends backends) throws Exception {
            if (!deadLetters(backends).delete(id)) {
                throw CommandFailure.notFound("id", "no outbox dead letter " + id);
            }
            if (json) {
                printJson(Map.of("id", id, "deleted", true));
            } else {
                out().println("deleted outbox dead letter " + id);
            }
            return OK;
        }
    }
}
