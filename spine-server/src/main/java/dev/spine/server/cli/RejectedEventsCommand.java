package dev.spine.server.cli;

import dev.spine.gateway.http.JsonReplies;
import dev.spine.server.http.JsonViews;
import dev.spine.service.JobService;
import dev.spine.service.RejectedEvent;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spine rejected-events}: events the job service could not turn into jobs (malformed), newest first, with
 * the error code, field and reason; {@code --json} prints what {@code GET /v1/rejected-events} answers (raw bytes
 * in base64, a text preview).
 */
@Command(name = "rejected-events", mixinStandardHelpOptions = true,
        description = "Lists the events ingest rejected (malformed), newest first, with the reason.")
final class RejectedEventsCommand extends SpineCommand {
    @Option(names = "--before", paramLabel = "ID", description = "only ids below this (the previous page's last id)")
    Long before;

    @Mixin
    LimitOption limit;

    @Option(names = "--json", description = "print JSON, as GET /v1/rejected-events answers")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        if (before != null && before < 1) {
            throw CommandFailure.invalid("INVALID_FIELD", "before", "must be >= 1, was " + before);
        }
        List<RejectedEvent> rejected = JobService.rejectedEvents(backends.dataSource(),
                backends.config().postgres().schema(), before == null ? Long.MAX_VALUE : before, limit.value());
        if (json) {
            List<Map<String, Object>> items = rejected.stream().map(JsonViews::rejected).toList();
            Object next = items.size() < limit.value() ? null : items.get(items.size() - 1).get("id");
            java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("items", items);
            body.put("nextBefore", next);
            out().println(JsonReplies.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(body));
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
        return OK;
    }
}
