package dev.spine.server.cli;

import dev.spine.events.StreamTopology;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code spine streams}: the spine's streams with their message counts and what they capture. */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Lists the spine's streams: messages, bytes, last sequence, subjects or sources.")
final class StreamsCommand extends SpineCommand {
    /** JetStream's error code for "stream not found". */
    static final int STREAM_NOT_FOUND = 10059;

    @Override
    int run(Backends backends) throws Exception {
        StreamTopology t = backends.topology();
        JetStreamManagement jsm = backends.spine().connection().jetStreamManagement();
        out().printf("%-32s %10s %12s %10s  %s%n", "STREAM", "MESSAGES", "BYTES", "LAST_SEQ", "CAPTURES");
        int missing = 0;
        for (String name : List.of(t.platformStream(), t.connectorStream(), t.auditStream(), t.deadLetterStream())) {
            StreamInfo info;
            try {
                info = jsm.getStreamInfo(name);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                    throw e;
                }
                out().printf("%-32s %10s %12s %10s  %s%n", name, "-", "-", "-", "missing (spine serve provisions it)");
                missing++;
                continue;
            }
            out().printf("%-32s %10d %12d %10d  %s%n", name, info.getStreamState().getMsgCount(),
                    info.getStreamState().getByteCount(), info.getStreamState().getLastSequence(),
                    captures(info.getConfiguration()));
        }
        return missing == 0 ? OK : NOT_FOUND;
    }

    private static String captures(StreamConfiguration c) {
        List<String> parts = new ArrayList<>();
        if (!c.getSubjects().isEmpty()) {
            parts.add("subjects " + String.join(",", c.getSubjects()));
        }
        if (c.getSources() != null && !c.getSources().isEmpty()) {
            List<String> sources = new ArrayList<>();
            c.getSources().forEach(s -> sources.add(s.getSourceName()
                    + (s.getFilterSubject() == null ? "" : "(" + s.getFilterSubject() + ")")));
            parts.add("sources " + String.join(",", sources));
        }
        return String.join("; ", parts);
    }
}
