package dev.spine.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.gateway.AdaptedShapes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spine events shapes}: which publishers still send legacy event shapes (from the event store). */
@Command(name = "events", mixinStandardHelpOptions = true, description = "Reports on the events themselves.",
        subcommands = EventsCommand.Shapes.class)
final class EventsCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "name a subcommand: shapes");
    }

    @Command(name = "shapes", mixinStandardHelpOptions = true,
            description = "Per legacy shape and source: events adapted on the way in (the gateway's event store).")
    static final class Shapes extends SpineCommand {
        @Option(names = "--since", defaultValue = "7d", description = "how far back, e.g. 1h, 7d (default ${DEFAULT-VALUE})")
        String since;

        @Option(names = "--json", description = "one JSON array instead of a table")
        boolean json;

        @Override
        int run(Backends backends) throws Exception {
            Duration window;
            try {
                window = new SettingsReader(name -> since, Map.of("--since", new String[] {"7d", "how far back"}))
                        .duration("--since");
            } catch (ConfigException e) {
                throw CommandFailure.invalid("INVALID_OPTION", "--since", e.getMessage());
            }
            List<AdaptedShapes> rows = AdaptedShapes.since(backends.dataSource(), backends.config().postgres().schema(),
                    Instant.now().minus(window));
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ArrayNode out = mapper.createArrayNode();
                for (AdaptedShapes r : rows) {
                    out.addObject().put("shape", r.shape()).put("source", r.source()).put("events", r.events())
                            .put("first", r.first().toString()).put("last", r.last().toString());
                }
                out().println(mapper.writeValueAsString(out));
                return OK;
            }
            out().printf("%-12s %-28s %8s  %-24s  %s%n", "SHAPE", "SOURCE", "EVENTS", "FIRST", "LAST");
            for (AdaptedShapes r : rows) {
                out().printf("%-12s %-28s %8d  %-24s  %s%n", r.shape(), r.source(), r.events(), r.first(), r.last());
            }
            if (rows.isEmpty()) {
                out().println("(no adapted events since " + since + ": every publisher sends the canonical envelope)");
            }
            return OK;
        }
    }
}
