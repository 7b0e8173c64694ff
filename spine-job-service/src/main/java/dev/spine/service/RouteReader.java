package dev.spine.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spine.jobs.Backoff;
import dev.spine.jobs.InvalidJobException;
import dev.spine.jobs.JobRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns one YAML route mapping into a {@link Route}, or a {@link RoutingException} with its line. */
final class RouteReader {
    private static final Pattern EVENT_PATTERN = Pattern.compile("[a-z*][a-z0-9_*]*\\.[A-Za-z0-9_*]+");
    private static final Pattern JOB_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,199}");
    private static final Pattern QUEUE = Pattern.compile("[a-z][a-z0-9_\\-]{0,62}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private RouteReader() {}

    static Route route(Entry e) {
        e.allowOnly("match", "job", "queue", "priority", "maxAttempts", "timeout", "backoff");
        JsonNode node = e.node();
        List<String> patterns = new ArrayList<>();
        JsonNode match = node.get("match");
        if (match == null || match.isNull()) {
            throw e.fail("match", "'match' is required (an event type or pattern, or a list)");
        }
        for (JsonNode m : match.isArray() ? match : List.of(match)) {
            String p = m.asText("");
            if (!m.isTextual() || !EVENT_PATTERN.matcher(p).matches()) {
                throw e.fail("match", "'" + (m.isTextual() ? p : m.toString()) + "' is not an event type pattern like "
                        + "data.EntityCreated, communication.* or data.Entity*");
            }
            patterns.add(p);
        }
        if (patterns.isEmpty()) {
            throw e.fail("match", "'match' is an empty list");
        }
        String job = e.text("job");
        if (!JOB_TYPE.matcher(job).matches()) {
            throw e.fail("job", "'" + job + "' is not a job type name");
        }
        String queue = node.path("queue").asText(JobRequest.DEFAULT_QUEUE);
        if (!QUEUE.matcher(queue).matches()) {
            throw e.fail("queue", "'" + queue + "' is not a queue name");
        }
        int priority = integer(e, "priority", 0, Short.MIN_VALUE, Short.MAX_VALUE);
        int maxAttempts = integer(e, "maxAttempts", JobRequest.DEFAULT_MAX_ATTEMPTS, 1, 1000);
        Duration timeout = node.has("timeout") ? duration(node.get("timeout"), "timeout", e) : JobRequest.DEFAULT_TIMEOUT;
        Backoff backoff = Backoff.DEFAULT;
        if (node.has("backoff")) {
            JsonNode b = node.get("backoff");
            if (!b.isObject() || !Set.of("initial", "max").containsAll(iterable(b.fieldNames()))) {
                throw e.fail("backoff", "'backoff' takes initial and max, e.g. {initial: 1s, max: 1h}");
            }
            try {
                backoff = Backoff.exponential(
                        b.has("initial") ? duration(b.get("initial"), "backoff.initial", e) : Backoff.DEFAULT.initial(),
                        b.has("max") ? duration(b.get("max"), "backoff.max", e) : Backoff.DEFAULT.max());
            } catch (InvalidJobException ex) {
                throw e.fail("backoff", ex.getMessage());
            }
        }
        return new Route(List.copyOf(patterns), job, queue, priority, maxAttempts, timeout, backoff, e.line());
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /**
     * One entry of {@code pushHandlers}: {@code job} (a job type) and {@code url} (http or https, no credentials),
     * for spine-server's HTTP push handlers; where the URL may point is checked by the server at start.
     */
    static Map.Entry<String, URI> pushHandler(Entry e) {
        e.allowOnly("job", "url");
        String job = e.text("job");
        if (!JOB_TYPE.matcher(job).matches()) {
            throw e.fail("job", "'" + job + "' is not a job type name");
        }
        String text = e.text("url");
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException ex) {
            throw e.fail("url", "'" + text + "' is not a URL");
        }
        if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null
                || url.getUserInfo() != null) {
            throw e.fail("url", "'" + text + "' must be an http:// or https:// URL with a host and no credentials");
        }
        return Map.entry(job, url);
    }

    private static int integer(Entry e, String field, int fallback, int min, int max) {
        JsonNode v = e.node().get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isInt() || v.asInt() < min || v.asInt() > max) {
            throw e.fail(field, "'" + field + "' must be a whole number " + min + ".." + max + ", was " + v);
        }
        return v.asInt();
    }

    static Duration duration(JsonNode v, String field, Entry e) {
        String text = v.asText("").trim();
        Matcher m = SHORT_DURATION.matcher(text);
        Duration d;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(text);
            } catch (DateTimeParseException ex) {
                throw e.fail(field.replaceAll("\\..*", ""), "'" + field + "' is not a duration (250ms, 30s, 5m, 2h, PT5M): " + v);
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw e.fail(field.replaceAll("\\..*", ""), "'" + field + "' must be positive: " + v);
        }
        return d;
    }
}
