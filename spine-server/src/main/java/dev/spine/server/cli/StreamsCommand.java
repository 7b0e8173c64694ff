package dev.spine.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spine.events.NatsSettings;
import dev.spine.events.StreamChange;
import dev.spine.events.StreamStats;
import dev.spine.server.ServerConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine streams}: the spine's streams with their message counts and what they capture;
 * {@code spine streams plan} and {@code spine streams apply}: the differences between the streams on the
 * server and this configuration's topology, and making them. A starting process only creates streams and
 * adds subjects, so removing a subject, changing replicas or retention happens here, on purpose.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Lists the spine's streams: messages, bytes, last sequence, subjects or sources.",
        subcommands = {StreamsCommand.Plan.class, StreamsCommand.Apply.class})
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

    /** The wanted topology's settings a plan may override: replicas and domains, besides the prefixes. */
    abstract static class TopologyCommand extends SpineCommand {
        @Option(names = "--replicas", paramLabel = "N", description = "wanted replicas (default: $SPINE_STREAM_REPLICAS)")
        Integer replicas;

        @Option(names = "--domains", paramLabel = "D1,D2", description = "wanted domains (default: $SPINE_DOMAINS "
                + "or $SPINE_DOMAINS_FILE, else the platform's)")
        String domains;

        /** The streams of this configuration, with this command line's overrides. */
        final int withTopology(Backends backends, Op op) throws Exception {
            Map<String, String> overrides = new LinkedHashMap<>();
            if (replicas != null) {
                overrides.put(NatsSettings.REPLICAS, String.valueOf(replicas));
            }
            if (domains != null) {
                overrides.put(NatsSettings.DOMAINS, domains);
                overrides.put(NatsSettings.DOMAINS_FILE, "");
            }
            if (overrides.isEmpty()) {
                return op.run(backends);
            }
            ServerConfig config = backends.server().with(overrides);
            try (Backends wanted = new Backends(config, backends.given())) {
                return op.run(wanted);
            }
        }

        interface Op {
            int run(Backends backends) throws Exception;
        }

        void print(List<StreamChange> changes) {
            out().printf("%-32s %-16s %-28s %-28s %s%n", "STREAM", "FIELD", "CURRENT", "WANTED", "EFFECT");
            for (StreamChange c : changes) {
                out().printf("%-32s %-16s %-28s %-28s %s%n", c.stream(), c.field(), c.current(), c.wanted(), c.effect());
            }
        }
    }

    /** {@code spine streams plan [--json]}. */
    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Prints how the streams on the server differ from this configuration; changes nothing.")
    static final class Plan extends TopologyCommand {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--json", description = "one JSON object: {\"changes\": [{stream, field, current, wanted, effect}]}")
        boolean json;

        @Override
        int run(Backends backends) throws Exception {
            return withTopology(backends, b -> {
                List<StreamChange> changes = b.spine().planStreams();
                if (json) {
                    ObjectNode root = JSON.createObjectNode();
                    ArrayNode list = root.putArray("changes");
                    for (StreamChange c : changes) {
                        list.addObject().put("stream", c.stream()).put("field", c.field()).put("current", c.current())
                                .put("wanted", c.wanted()).put("effect", c.effect().name());
                    }
                    out().println(JSON.writeValueAsString(root));
                } else if (changes.isEmpty()) {
                    out().println("no differences: the streams are what this configuration says");
                } else {
                    print(changes);
                    out().println(changes.size() + " difference(s); `spine streams apply` makes them");
                }
                return OK;
            });
        }
    }

    /** {@code spine streams apply [--allow-shrink]}. */
    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Makes the streams what this configuration says (what `plan` prints).")
    static final class Apply extends TopologyCommand {
        @Option(names = "--allow-shrink", description = "also remove subjects, lower replicas, shorten retention "
                + "(stored events past the new limits are dropped)")
        boolean allowShrink;

        @Override
        int run(Backends backends) throws Exception {
            return withTopology(backends, b -> {
                List<StreamChange> shrinking = b.spine().planStreams().stream()
                        .filter(c -> c.effect() == StreamChange.Effect.SHRINK).toList();
                if (!shrinking.isEmpty() && !allowShrink) {
                    throw CommandFailure.invalid("SHRINK_NOT_ALLOWED", "--allow-shrink", "these changes remove "
                            + "subjects, replicas or retained events: " + shrinking + "; nothing was changed");
                }
                List<StreamChange> applied = b.spine().applyStreams();
                if (applied.isEmpty()) {
                    out().println("nothing to change");
                } else {
                    print(applied);
                    out().println(applied.size() + " change(s) applied");
                }
                return OK;
            });
        }
    }
}
