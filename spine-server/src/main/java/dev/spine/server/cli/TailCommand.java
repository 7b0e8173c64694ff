package dev.spine.server.cli;

import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.LiveFeed;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine tail}: prints events of the bus as they arrive, one line each. It reads with the bus's live
 * feed (NATS: an ordered ephemeral consumer, which the server forgets when tail exits): durable consumers
 * and their positions are not touched, so tailing production disturbs nothing.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints live events, one line each (a live feed: moves no durable consumer, disturbs nothing).")
final class TailCommand extends SpineCommand {
    /** How long one wait for the count to be reached lasts before checking the feed is still open. */
    static final Duration POLL = Duration.ofMillis(500);

    @Option(names = {"-t", "--type"}, paramLabel = "PATTERN",
            description = "only these event types: domain.NounVerb or domain.*")
    List<String> types = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", description = "stop after N events (default: run until stopped)")
    long count;

    @Option(names = "--from-start", description = "begin with the oldest stored event instead of new ones")
    boolean fromStart;

    @Option(names = "--json", description = "one JSON object per event (JSON Lines); the banner goes to stderr")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        if (count < 0) {
            throw CommandFailure.invalid("INVALID_FIELD", "count", "must be >= 0, was " + count);
        }
        LiveFeedOptions options;
        try {
            options = (fromStart ? LiveFeedOptions.fromStart() : LiveFeedOptions.newEventsOnly()).eventTypes(types).build();
        } catch (IllegalArgumentException e) {
            throw CommandFailure.invalid("INVALID_FIELD", "type", e.getMessage());
        }
        AtomicLong seen = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        // several patterns: one filters on the server, the rest are matched by the feed (no nats-server 2.10 needed)
        try (LiveFeed feed = backends.spine().live(options, e -> {
            long n = seen.incrementAndGet();
            if (count > 0 && n > count) {
                return;
            }
            out().println(json ? JsonOutput.event(e) : line(e));
            out().flush();
            if (n == count) {
                done.countDown();
            }
        })) {
            // printed once the feed is open: from here on every matching event stored will be shown
            // stdout stays pure JSON Lines with --json: the banner goes to stderr then
            java.io.PrintWriter banner = json ? err() : out();
            banner.println("# tailing " + backends.topology().platformStream() + (types.isEmpty() ? "" : " " + types)
                    + (count > 0 ? ", stopping after " + count : ""));
            banner.flush();
            while (!done.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!feed.isOpen()) {
                    throw new IllegalStateException("the live feed ended after " + seen.get() + " events");
                }
            }
        }
        return OK;
    }

    static String line(StoredEvent m) {
        long seq = m.sequence();
        try {
            EventEnvelope e = m.envelope();
            return seq + " " + e.timestamp() + " " + e.eventType() + " id=" + e.eventId() + " correlationId="
                    + e.correlationId() + " source=" + e.source() + " data=" + e.dataJson();
        } catch (InvalidEventException e) {
            String raw = new String(m.data(), StandardCharsets.UTF_8);
            return seq + " MALFORMED " + e.code() + (e.field() == null ? "" : " " + e.field()) + " subject="
                    + m.subject() + " raw=" + (raw.length() > 200 ? raw.substring(0, 200) + "…" : raw);
        }
    }
}
