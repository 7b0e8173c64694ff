package dev.spine.server.cli;

import dev.spine.events.ReplayOptions;
import dev.spine.service.ReplayReport;
import dev.spine.service.StreamReplay;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine replay --from <instant> | --from-seq N}: reads a window of the platform stream and
 * materialises it with the service's routes (SPINE_ROUTES_FILE or the bundled ones) and keys, exactly like
 * live ingest: events whose jobs exist create nothing, so replaying twice creates nothing new. Durable
 * consumers are not touched. The schema must exist (a job service has run against it once).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-materialises a window of the platform stream into jobs (idempotent by key).")
final class ReplayCommand extends SpineCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Start start;

    /** Where the window starts: a time or a stream sequence. */
    static final class Start {
        @Option(names = "--from", paramLabel = "INSTANT", description = "ISO-8601 instant, e.g. 2026-01-01T12:00:00Z")
        String from;

        @Option(names = "--from-seq", paramLabel = "N", description = "stream sequence (1 = the first event stored)")
        Long fromSequence;
    }

    @Option(names = "--limit", paramLabel = "N", description = "at most N events")
    Long limit;

    @Option(names = {"-t", "--type"}, paramLabel = "PATTERN", description = "only these event types (domain.NounVerb or domain.*)")
    List<String> types = new ArrayList<>();

    @Override
    int run(Backends backends) throws Exception {
        ReplayOptions options = options();
        ReplayReport report = StreamReplay.replay(backends.config(), backends.dataSource(), backends.jobs(),
                backends.spine(), options);
        out().printf("events=%d malformed=%d jobs=%d created=%d unrouted=%d lastSequence=%d%n", report.events(),
                report.malformed(), report.jobs(), report.created(), report.unrouted(), report.lastSequence());
        return OK;
    }

    private ReplayOptions options() {
        ReplayOptions.Builder b;
        if (start.from != null) {
            try {
                b = ReplayOptions.fromTime(Instant.parse(start.from));
            } catch (DateTimeParseException e) {
                throw CommandFailure.invalid("INVALID_FIELD", "from", "an ISO-8601 instant such as "
                        + "2026-01-01T12:00:00Z, was '" + start.from + "'");
            }
        } else {
            if (start.fromSequence < 1) {
                throw CommandFailure.invalid("INVALID_FIELD", "from-seq", "must be >= 1, was " + start.fromSequence);
            }
            b = ReplayOptions.fromSequence(start.fromSequence);
        }
        if (limit != null) {
            if (limit < 1) {
                throw CommandFailure.invalid("INVALID_FIELD", "limit", "must be >= 1, was " + limit);
            }
            b.limit(limit);
        }
        b.eventTypes(types.toArray(String[]::new));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // start and limit were checked above: what build() refuses is an event pattern
            throw CommandFailure.invalid("INVALID_FIELD", "type", e.getMessage());
        }
    }
}
