package dev.spine.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spine.jobs.CronSchedule;
import dev.spine.jobs.InvalidJobException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which events become which jobs, and the cron schedules, read from a YAML file (see the bundled
 * {@code routes.yaml} for the platform's defaults and the format). Every mistake fails loading with the
 * file, the line and the reason. Matching is cached per event type, so the hot path does a map lookup.
 */
public final class RoutingTable {
    /** The domain of the job service's own lifecycle events. */
    public static final String JOB_DOMAIN = "job";
    /** The bundled default table. */
    public static final String DEFAULTS_RESOURCE = "/dev/spine/service/routes.yaml";

    private final String source;
    private final List<Route> routes;
    private final List<CronSchedule> schedules;
    private final Map<String, URI> pushHandlers;
    private final Map<String, List<Route>> byType = new ConcurrentHashMap<>();

    RoutingTable(String source, List<Route> routes, List<CronSchedule> schedules) {
        this(source, routes, schedules, Map.of());
    }

    RoutingTable(String source, List<Route> routes, List<CronSchedule> schedules, Map<String, URI> pushHandlers) {
        this.source = source;
        this.routes = List.copyOf(routes);
        this.schedules = List.copyOf(schedules);
        this.pushHandlers = Collections.unmodifiableMap(new LinkedHashMap<>(pushHandlers));
    }

    /** The table {@code config} names: its {@code SPINE_ROUTES_FILE}, else the bundled defaults. */
    public static RoutingTable of(ServiceConfig config) {
        return config.routesFile() != null ? load(config.routesFile()) : defaults();
    }

    /** The platform's defaults, bundled in the jar. */
    public static RoutingTable defaults() {
        try (InputStream in = RoutingTable.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            return parse(in, "routes.yaml (bundled)");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled routing table", e);
        }
    }

    public static RoutingTable load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new RoutingException(file.toString(), 0, "cannot read: " + e.getMessage(), e);
        }
    }

    public static RoutingTable parse(InputStream in, String source) {
        return new RoutingFileReader(source).read(in);
    }

    /** A table given as YAML text (a test's, an embedding program's); {@code source} names it in errors. */
    public static RoutingTable parse(String yaml, String source) {
        return parse(new java.io.ByteArrayInputStream(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)), source);
    }

    /** The routes of {@code eventType}, in file order (empty: not routed). */
    public List<Route> match(String eventType) {
        return byType.computeIfAbsent(eventType, t -> routes.stream().filter(r -> r.matches(t)).toList());
    }

    public List<Route> routes() {
        return routes;
    }

    public List<CronSchedule> schedules() {
        return schedules;
    }

    /**
     * The file's {@code pushHandlers}: job types run by POSTing them to a URL (spine-server's HTTP push handlers,
     * with {@code SPINE_PUSH_HANDLERS}); the engine itself does not act on them.
     */
    public Map<String, URI> pushHandlers() {
        return pushHandlers;
    }

    public String source() {
        return source;
    }

    /**
     * Refuses a table in which a job would feed itself: when the service publishes {@code lifecycleEvents}
     * (e.g. job.Completed), a route matching one of them would create a job whose own lifecycle event
     * matches again, forever.
     */
    public void refuseFeedback(Collection<String> lifecycleEvents) {
        for (Route r : routes) {
            for (String event : lifecycleEvents) {
                if (r.matches(event)) {
                    throw new RoutingException(source, r.line(), "route " + r.patterns() + " -> " + r.jobType()
                            + " matches " + event + ", which the job service itself publishes for every job: "
                            + "its jobs would feed the route forever");
                }
            }
        }
    }

    /** Reads the YAML with line numbers kept for each route, so errors can point at them. */
    private static final class RoutingFileReader {
        private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
        private final String source;

        RoutingFileReader(String source) {
            this.source = source;
        }

        RoutingTable read(InputStream in) {
            List<Route> routes = new ArrayList<>();
            List<CronSchedule> schedules = new ArrayList<>();
            Map<String, URI> pushHandlers = new LinkedHashMap<>();
            try (JsonParser p = YAML.getFactory().createParser(in)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw fail(p, "expected a mapping with 'routes' (and optionally 'schedules')");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String section = p.currentName();
                    int line = line(p);
                    p.nextToken();
                    if (section.equals("routes")) {
                        eachItem(p, "routes", e -> routes.add(RouteReader.route(e)));
                    } else if (section.equals("schedules")) {
                        eachItem(p, "schedules", e -> schedules.add(schedule(e)));
                    } else if (section.equals("pushHandlers")) {
                        eachItem(p, "pushHandlers", e -> {
                            Map.Entry<String, URI> h = RouteReader.pushHandler(e);
                            if (pushHandlers.putIfAbsent(h.getKey(), h.getValue()) != null) {
                                throw e.fail("job", "job type " + h.getKey() + " has a push handler already");
                            }
                        });
                    } else {
                        throw new RoutingException(source, line, "unknown section '" + section
                                + "' (expected routes, schedules, pushHandlers)");
                    }
                }
            } catch (JsonProcessingException e) {
                int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
                throw new RoutingException(source, line, "not valid YAML: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new RoutingException(source, 0, "cannot read: " + e.getMessage(), e);
            }
            if (routes.isEmpty()) {
                throw new RoutingException(source, 1, "no routes: every event would be acked and dropped");
            }
            return new RoutingTable(source, routes, schedules, pushHandlers);
        }

        /** Calls {@code item} with each element of the list the parser stands on, and its line. */
        private void eachItem(JsonParser p, String section, ItemReader item) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                return;
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw fail(p, "'" + section + "' must be a list");
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                int line = line(p);
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw new RoutingException(source, line, "each entry of '" + section + "' must be a mapping");
                }
                ObjectNode node = YAML.createObjectNode();
                Map<String, Integer> lines = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    lines.put(field, line(p));
                    p.nextToken();
                    node.set(field, YAML.readTree(p));
                }
                item.read(new Entry(node, source, line, lines));
            }
        }

        private CronSchedule schedule(Entry e) {
            e.allowOnly("name", "cron", "zone", "job", "queue", "priority");
            String name = e.text("name");
            try {
                return CronSchedule.of(name, e.text("cron"), e.node().path("zone").asText("UTC"),
                        dev.spine.jobs.JobRequest.of(e.text("job"), Map.of())
                                .queue(e.node().path("queue").asText("background"))
                                .priority(e.node().path("priority").asInt(0)));
            } catch (InvalidJobException ex) {
                String field = ex.field().endsWith(".zone") ? "zone" : ex.field().endsWith(".cron") ? "cron" : "name";
                throw e.fail(field, ex.getMessage());
            }
        }

        private RoutingException fail(JsonParser p, String reason) {
            return new RoutingException(source, line(p), reason);
        }

        private static int line(JsonParser p) {
            return p.currentTokenLocation().getLineNr();
        }

        /** Reads one list item. */
        @FunctionalInterface
        private interface ItemReader {
            void read(Entry entry);
        }
    }
}
