package dev.spine.server.cli;

import dev.spine.gateway.http.Cursor;
import dev.spine.gateway.http.JsonReplies;
import dev.spine.server.http.JsonViews;
import dev.spine.service.JobService;
import dev.spine.service.RejectedEvent;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spine rejected-events}: events the job service could not turn into jobs (malformed), newest first, with
 * the error code, field and reason; {@code --json} prints what {@code GET /v1/rejected-events} answers (raw bytes
 * in base64, a text preview, and {@code next}, the cursor of the page after, for {@code --cursor}).
 */
@Command(name = "rejected-events", mixinStandardHelpOptions = true,
        description = "Lists the events ingest rejected (malformed), newest first, with the reason.")
final class RejectedEventsCommand extends SpineCommand {
    @Option(names = "--cursor", paramLabel = "CURSOR", description = "the page after this one (a page's next)")
    String cursor;

    @Mixin
    LimitOption limit;

    @Option(names = "--json", description = "print JSON, as GET /v1/rejected-events answers")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        long before = cursor == null ? Long.MAX_VALUE : Cursor.position(cursor).orElseThrow(() ->
                CommandFailure.invalid("INVALID_FIELD", "cursor", "not a cursor a page gave out: " + cursor));
        List<RejectedEvent> rejected = JobService.rejectedEvents(backends.dataSource(),
                backends.config().postgres().schema(), before, limit.value());
        String next = rejected.size() < limit.value() ? null : Cursor.of(rejected.get(rejected.size() - 1).id());
        if (json) {
            out().println(JsonReplies.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                    JsonViews.page(rejected.stream().map(JsonViews::rejected).toList(), next)));
            return OK;
        }
        if (rejected.isEmpty()) {
            out().println("no rejected events");
            return OK;
        }
        out().printf("%8s  %-24s %-28s %-20s %-22s %s%n", "ID", "RECEIVED", "SUBJECT", "CODE", "FIELD", "REASON");
        for (RejectedEvent r : rejected) {
            out().printf("%8d  %-24s %-28s %-20s %-22s %s%n", r.id(), r.receivedAt(), r.subject(), r.code(),
                    r.field() == null ? "-" : r.field(), r.reason());
        }
        if (next != null) {
            out().println("more: --cursor " + next);
        }
        return OK;
    }
}
