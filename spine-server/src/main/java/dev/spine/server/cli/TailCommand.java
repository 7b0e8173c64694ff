package dev.spine.server.cli;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.StreamTopology;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.StreamContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine tail}: prints events of the platform stream as they arrive, one line each. It reads with
 * an ordered ephemeral consumer, which the server forgets when tail exits: durable consumers and their
 * positions are not touched, so tailing production disturbs nothing.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints live events, one line each (an ephemeral ordered consumer: disturbs nothing).")
final class TailCommand extends SpineCommand {
    /** How long one wait for the next event lasts before checking again. */
    static final Duration POLL = Duration.ofMillis(500);

    @Option(names = {"-t", "--type"}, paramLabel = "PATTERN",
            description = "only these event types: domain.NounVerb or domain.* (several need nats-server 2.10+)")
    List<String> types = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", description = "stop after N events (default: run until stopped)")
    long count;

    @Option(names = "--from-start", description = "begin with the oldest stored event instead of new ones")
    boolean fromStart;

    @Override
    int run(Backends backends) throws Exception {
        if (count < 0) {
            throw CommandFailure.invalid("INVALID_FIELD", "count", "must be >= 0, was " + count);
        }
        StreamTopology topology = backends.topology();
        List<String> subjects = new ArrayList<>();
        types.forEach(t -> subjects.add(topology.subjectFor(t)));
        OrderedConsumerConfiguration config = new OrderedConsumerConfiguration()
                .deliverPolicy(fromStart ? DeliverPolicy.All : DeliverPolicy.New);
        if (!subjects.isEmpty()) {
            config.filterSubjects(subjects);
        }
        StreamContext stream = backends.spine().connection().getStreamContext(topology.platformStream());
        EventCodec codec = EventCodec.defaults();
        long seen = 0;
        try (IterableConsumer events = stream.createOrderedConsumer(config).iterate()) {
            out().println("# tailing " + topology.platformStream() + (subjects.isEmpty() ? "" : " " + subjects)
                    + (count > 0 ? ", stopping after " + count : ""));
            out().flush();
            while (count == 0 || seen < count) {
                Message m = events.nextMessage(POLL);
                if (m != null) {
                    out().println(line(codec, m));
                    out().flush();
                    seen++;
                }
            }
        }
        return OK;
    }

    static String line(EventCodec codec, Message m) {
        long seq = m.metaData().streamSequence();
        try {
            EventEnvelope e = codec.decode(m.getData());
            return seq + " " + e.timestamp() + " " + e.eventType() + " id=" + e.eventId() + " correlationId="
                    + e.correlationId() + " source=" + e.source() + " data=" + e.dataJson();
        } catch (InvalidEventException e) {
            String raw = new String(m.getData(), StandardCharsets.UTF_8);
            return seq + " MALFORMED " + e.code() + (e.field() == null ? "" : " " + e.field()) + " subject="
                    + m.getSubject() + " raw=" + (raw.length() > 200 ? raw.substring(0, 200) + "…" : raw);
        }
    }
}
