package dev.spine.server.cli;

import dev.spine.events.StreamStats;
import picocli.CommandLine.Command;

/** {@code spine streams}: the spine's streams with their message counts and what they capture. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Lists the spine's streams: messages, bytes, last sequence, subjects or sources.")
final class StreamsCommand extends SpineCommand {

    @Override
    int run(Backends backends) throws Exception {
        out().printf("%-32s %10s %12s %10s  %s%n", "STREAM", "MESSAGES", "BYTES", "LAST_SEQ", "CAPTURES");
        int missing = 0;
        // what the bus reports (NATS: the topology's four streams), so no JetStream call of our own
        for (StreamStats s : backends.spine().streams()) {
            if (!s.exists()) {
                out().printf("%-32s %10s %12s %10s  %s%n", s.name(), "-", "-", "-", "missing (spine serve provisions it)");
                missing++;
                continue;
            }
            out().printf("%-32s %10d %12d %10d  %s%n", s.name(), s.messages(), s.bytes(), s.lastSequence(), s.captures());
        }
        return missing == 0 ? OK : NOT_FOUND;
    }
}
