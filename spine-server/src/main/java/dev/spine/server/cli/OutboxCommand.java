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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spine outbox dead-letters list|retry <id>|delete <id>}: the transactional outbox's dead letters in
 * {@code SPINE_OUTBOX_SCHEMA} (events its relay gave up on). A retried one goes back into the outbox as the
 * newest event of its key; the relay of the service that owns the outbox publishes it.
 */
@Command(name = "outbox", mixinStandardHelpOptions = true, description = "The transactional outbox.",
        subcommands = {OutboxCommand.Dead.class})
final class OutboxCommand extends CommandGroup {

    /** {@code spine outbox dead-letters}. */
    @Command(name = "dead-letters", mixinStandardHelpOptions = true, description = "Outbox dead letters: list, retry, delete.",
            subcommands = {ListDead.class, RetryDead.class, DeleteDead.class})
    static final class Dead extends CommandGroup {
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

    /** {@code spine outbox dead-letters list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists outbox dead letters, newest first.")
    static final class ListDead extends DeadLetterCommand {
        @Mixin
        LimitOption limit;

        @Override
        int run(Backends backends) throws Exception {
            List<OutboxDeadLetter> dead = deadLetters(backends).list(Long.MAX_VALUE, limit.value());
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

    /** What retry and delete share: one dead letter by id, not found is exit 7, the outcome as text or JSON. */
    abstract static class OneDeadLetter extends DeadLetterCommand {
        @Parameters(paramLabel = "ID", description = "the dead letter's id")
        long id;

        /** Acts on dead letter {@link #id}; the outcome's fields, or null when there is no such dead letter. */
        abstract Map<String, Object> act(OutboxDeadLetters dead) throws Exception;

        /** The outcome for people. */
        abstract String describe(Map<String, Object> outcome);

        @Override
        final int run(Backends backends) throws Exception {
            Map<String, Object> outcome = act(deadLetters(backends));
            if (outcome == null) {
                throw CommandFailure.notFound("id", "no outbox dead letter " + id);
            }
            if (json) {
                printJson(outcome);
            } else {
                out().println(describe(outcome));
            }
            return OK;
        }
    }

    /** {@code spine outbox dead-letters retry <id>}. */
    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Puts an outbox dead letter back into the outbox (newest of its key); the relay publishes it.")
    static final class RetryDead extends OneDeadLetter {
        @Override
        Map<String, Object> act(OutboxDeadLetters dead) throws Exception {
            OptionalLong outboxId = dead.retry(id);
            return outboxId.isEmpty() ? null : Map.of("id", id, "outboxId", outboxId.getAsLong());
        }

        @Override
        String describe(Map<String, Object> outcome) {
            return "retried outbox dead letter " + id + ": back in the outbox as row " + outcome.get("outboxId");
        }
    }

    /** {@code spine outbox dead-letters delete <id>}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes an outbox dead letter for good.")
    static final class DeleteDead extends OneDeadLetter {
        @Override
        Map<String, Object> act(OutboxDeadLetters dead) throws Exception {
            return dead.delete(id) ? Map.of("id", id, "deleted", true) : null;
        }

        @Override
        String describe(Map<String, Object> outcome) {
            return "deleted outbox dead letter " + id;
        }
    }
}
