package dev.spine.server.cli;

import dev.spine.events.StreamStats;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spine streams}: the spine's streams with their message counts and what they capture. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Lists the spine's streams: messages, bytes, last sequence, subjects or sources.")
final class StreamsCommand extends SpineCommand {
    @Option(names = "--json", description = "print a JSON array instead of a table")
    boolean json;

    @Override
    int run(Backends backends) throws Exception {
        // what the bus reports (NATS: the topology's four streams), so no JetStream call of our own
        List<StreamStats> streams = backends.spine().streams();
        boolean allThere = streams.stream().allMatch(StreamStats::exists);
        if (json) {
            JsonOutput.print(out(), streams);
            return allThere ? OK : NOT_FOUND;
        }
        out().printf("%-32s %10s %12s %10s  %s%n", "STREAM", "MESSAGES", "BYTES", "LAST_SEQ", "CAPTURES");
        for (StreamStats s : streams) {
            if (!s.exists()) {
                out().printf("%-32s %10s %12s %10s  %s%n", s.name(), "-", "-", "-", "missing (spine serve provisions it)");
                continue;
            }
            out().printf("%-32s %10d %12d %10d  %s%n", s.name(), s.messages(), s.bytes(), s.lastSequence(), s.captures());
        }
        return allThere ? OK : NOT_FOUND;
    }
}
