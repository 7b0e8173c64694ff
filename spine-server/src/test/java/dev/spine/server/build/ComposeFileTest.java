package dev.spine.server.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker-compose.yml is a Compose file that starts what the image and the docs say. With a Compose tool on
 * the machine ({@code docker compose} or {@code docker-compose}) it must pass {@code config -q}; without one (the
 * usual case here: docker 28 without the compose plugin) the same file is checked structurally: only keys Compose
 * knows, well-formed interpolations and ports, {@code depends_on} naming services with a known condition (a
 * healthy one having a healthcheck), named volumes declared. Either way the job service's settings must match
 * the image: every {@code SPINE_*} variable one the spine reads (CONFIGURATION.md), the gateway and admin ports
 * those of the Dockerfile's {@code ENV}/{@code EXPOSE} and published, the healthcheck the image's own, and the
 * service URLs pointing at services of the file on their container ports.
 */
class ComposeFileTest {
    static final Path ROOT = Path.of("..");
    static final Path COMPOSE = ROOT.resolve("deploy/docker-compose.yml");
    private static final Set<String> TOP_LEVEL = Set.of("services", "volumes", "networks", "configs", "secrets");
    /** The service keys of the Compose specification that a file like ours may use (a typo is not one of them). */
    private static final Set<String> SERVICE_KEYS = Set.of("image", "build", "command", "entrypoint", "environment",
            "env_file", "ports", "expose", "volumes", "depends_on", "healthcheck", "restart", "stop_grace_period",
            "stop_signal", "user", "working_dir", "networks", "labels", "logging", "deploy", "ulimits", "init",
            "container_name", "hostname", "extra_hosts", "cap_add", "cap_drop", "read_only", "tmpfs", "profiles",
            "mem_limit", "cpus", "shm_size", "security_opt", "platform", "pull_policy");
    private static final Set<String> HEALTHCHECK_KEYS = Set.of("test", "interval", "timeout", "retries",
            "start_period", "start_interval", "disable");
    private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy",
            "service_completed_successfully");
    private static final Set<String> RESTART = Set.of("no", "always", "on-failure", "unless-stopped");
    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}} and friends; {@code $$} is a literal. */
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h))+");

    @Test
    void theComposeFileIsOneComposeAccepts() throws Exception {
        List<String> tool = composeTool();
        if (tool != null) {
            List<String> command = new ArrayList<>(tool);
            command.addAll(List.of("-f", COMPOSE.toString(), "config", "-q"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hung");
            assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        }
        // structurally too, with or without the tool: the test must say the same on every machine
        List<String> problems = new ArrayList<>();
        JsonNode file = compose();
        file.fieldNames().forEachRemaining(k -> {
            if (!TOP_LEVEL.contains(k) && !k.startsWith("x-")) {
                problems.add("top-level key '" + k + "' (no `name:` or `version:` either: docker-compose 1.29 reads it)");
            }
        });
        JsonNode services = file.path("services");
        Set<String> serviceNames = new TreeSet<>();
        services.fieldNames().forEachRemaining(serviceNames::add);
        Set<String> declaredVolumes = new HashSet<>();
        file.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
        for (String name : serviceNames) {
            checkService(name, services.get(name), serviceNames, declaredVolumes, problems);
        }
        checkInterpolations(Files.readString(COMPOSE), problems);
        assertEquals(List.of(), problems, COMPOSE + " is no valid Compose file");
    }

    @Test
    void theJobServiceMatchesTheImageAndTheDocs() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode job = services.path("job-service");
        assertEquals("deploy/Dockerfile", job.path("build").path("dockerfile").asText(), "built from the image's Dockerfile");
        String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        Map<String, String> env = new java.util.TreeMap<>();
        job.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));

        String reference = Files.readString(ROOT.resolve("CONFIGURATION.md"));
        for (String name : env.keySet()) {
            if (name.startsWith("SPINE_")) {
                assertTrue(reference.contains("| `" + name + "` |"), name + " is no variable the spine reads "
                        + "(CONFIGURATION.md)");
            }
        }
        Set<Integer> published = new TreeSet<>();
        for (JsonNode p : job.path("ports")) {
            published.add(containerPort(p.asText()));
        }
        int http = port(env.get("SPINE_HTTP_ADDR"), "SPINE_HTTP_ADDR");
        int admin = port(env.get("SPINE_ADMIN_ADDR"), "SPINE_ADMIN_ADDR");
        assertTrue(http != admin, "the gateway and the admin API on ports of their own");
        assertEquals(Set.of(http, admin), published, "the gateway and admin ports are the ones published");
        assertTrue(dockerfile.contains("SPINE_HTTP_ADDR=0.0.0.0:" + http), "the Dockerfile's ENV says " + http);
        assertTrue(dockerfile.contains("SPINE_ADMIN_ADDR=0.0.0.0:" + admin), "the Dockerfile's ENV says " + admin);
        assertTrue(dockerfile.contains("EXPOSE " + http + " " + admin), "the Dockerfile exposes " + http + " and " + admin);
        for (JsonNode p : job.path("ports")) {
            assertTrue(p.asText().startsWith("127.0.0.1:"), "published on loopback only: " + p.asText());
        }
        // the healthcheck is the image's, on the gateway port (health is served there, and it is the one exposed)
        JsonNode test = job.path("healthcheck").path("test");
        String probe = test.get(test.size() - 1).asText();
        assertTrue(probe.contains("/dev/tcp/127.0.0.1/" + http) && probe.contains("GET /health/ready"), probe);
        assertTrue(dockerfile.replace("\\\\", "\\").contains(probe.replace("\\\\", "\\")),
                "the compose healthcheck is the Dockerfile's HEALTHCHECK: " + probe);

        // service URLs name services of this file on the ports their containers listen on
        assertHostPort(env.get("SPINE_NATS_URL"), "nats", 4222, services);
        assertHostPort(env.get("SPINE_PG_URL"), "postgres", 5432, services);
        assertHostPort(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), "jaeger", 4318, services);
        Set<String> needs = new TreeSet<>();
        job.path("depends_on").fieldNames().forEachRemaining(needs::add);
        assertEquals(Set.of("nats", "postgres", "jaeger"), needs);
        assertTrue(durationSeconds(job.path("stop_grace_period").asText())
                > durationSeconds(env.get("SPINE_SHUTDOWN_TIMEOUT")), "the grace period outlasts SPINE_SHUTDOWN_TIMEOUT");

        String readme = Files.readString(ROOT.resolve("deploy/README.md"));
        assertTrue(readme.contains(http + " (`SPINE_COMPOSE_HTTP_PORT`)") && readme.contains(admin
                + " (`SPINE_COMPOSE_ADMIN_PORT`)"), "deploy/README.md's table names both ports and their variables");
    }

    private static void checkService(String name, JsonNode s, Set<String> services, Set<String> volumes,
            List<String> problems) {
        s.fieldNames().forEachRemaining(k -> {
            if (!SERVICE_KEYS.contains(k) && !k.startsWith("x-")) {
                problems.add(name + ": unknown key '" + k + "'");
            }
        });
        if (!s.has("image") && !s.has("build")) {
            problems.add(name + ": neither image nor build");
        }
        if (s.has("restart") && !RESTART.contains(s.get("restart").asText())) {
            problems.add(name + ": restart '" + s.get("restart").asText() + "'");
        }
        if (s.has("stop_grace_period") && !DURATION.matcher(s.get("stop_grace_period").asText()).matches()) {
            problems.add(name + ": stop_grace_period '" + s.get("stop_grace_period").asText() + "'");
        }
        for (JsonNode p : s.path("ports")) {
            try {
                containerPort(p.asText());
            } catch (IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
            }
        }
        for (JsonNode v : s.path("volumes")) {
            String source = v.asText().split(":")[0];
            if (!source.startsWith(".") && !source.startsWith("/") && !source.startsWith("$") && !volumes.contains(source)) {
                problems.add(name + ": volume '" + source + "' is not declared under top-level volumes");
            }
        }
        if (s.has("environment") && !s.get("environment").isObject()) {
            problems.add(name + ": environment should be a map");
        }
        JsonNode deps = s.path("depends_on");
        for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> d = it.next();
            if (!services.contains(d.getKey())) {
                problems.add(name + ": depends_on unknown service '" + d.getKey() + "'");
            }
            String condition = d.getValue().path("condition").asText("service_started");
            if (!CONDITIONS.contains(condition)) {
                problems.add(name + ": depends_on condition '" + condition + "'");
            }
        }
        JsonNode hc = s.path("healthcheck");
        hc.fieldNames().forEachRemaining(k -> {
            if (!HEALTHCHECK_KEYS.contains(k)) {
                problems.add(name + ": unknown healthcheck key '" + k + "'");
            }
        });
        for (String k : List.of("interval", "timeout", "start_period")) {
            if (hc.has(k) && !DURATION.matcher(hc.get(k).asText()).matches()) {
                problems.add(name + ": healthcheck " + k + " '" + hc.get(k).asText() + "'");
            }
        }
        JsonNode test = hc.path("test");
        if (!hc.isMissingNode() && !(test.isTextual() || test.isArray() && test.size() > 1
                && Set.of("CMD", "CMD-SHELL", "NONE").contains(test.get(0).asText()))) {
            problems.add(name + ": healthcheck test must be a string or a list starting with CMD or CMD-SHELL");
        }
    }

    /** Every '$' starts a well-formed interpolation or is escaped as '$$'. */
    private static void checkInterpolations(String text, List<String> problems) {
        String rest = INTERPOLATION.matcher(text.replace("$$", "")).replaceAll("");
        int at = rest.indexOf('$');
        if (at >= 0) {
            problems.add("a '$' that is no ${NAME} / ${NAME:-default} interpolation (write $$ for a literal): ..."
                    + rest.substring(Math.max(0, at - 40), Math.min(rest.length(), at + 40)) + "...");
        }
    }

    /** The container port of a short port syntax: [[ip:]host:]container, interpolations at their defaults. */
    private static int containerPort(String spec) {
        String[] parts = withDefaults(spec).split(":");
        if (parts.length > 3) {
            throw new IllegalArgumentException("port '" + spec + "'");
        }
        for (int i = parts.length == 3 ? 1 : 0; i < parts.length; i++) {
            int n;
            try {
                n = Integer.parseInt(parts[i].replace("/tcp", "").replace("/udp", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port '" + spec + "': '" + parts[i] + "' is no port");
            }
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException("port '" + spec + "': " + n + " is out of range");
            }
        }
        return Integer.parseInt(parts[parts.length - 1].replace("/tcp", "").replace("/udp", ""));
    }

    private static String withDefaults(String text) {
        Matcher m = INTERPOLATION.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(3) == null ? "" : m.group(3)));
        }
        return m.appendTail(b).toString();
    }

    private static int port(String address, String variable) {
        if (address == null || !address.matches(".+:\\d+")) {
            fail(variable + " in the compose file should be host:port, was " + address);
        }
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static void assertHostPort(String url, String service, int port, JsonNode services) {
        assertTrue(services.has(service), service + " is a service of the file");
        assertTrue(url != null && url.contains("//" + service + ":" + port), url + " should point at " + service + ":" + port);
        if (services.get(service).has("ports")) {
            Set<Integer> container = new TreeSet<>();
            for (JsonNode p : services.get(service).get("ports")) {
                container.add(containerPort(p.asText()));
            }
            assertTrue(container.contains(port), service + " listens on " + port + " (its published container ports: "
                    + container + ")");
        }
    }

    private static long durationSeconds(String d) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(d);
        long total = 0;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total += switch (m.group(2)) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                case "ms" -> n / 1000;
                default -> n;
            };
        }
        return total;
    }

    private static JsonNode compose() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    }

    /** {@code docker compose} if the docker CLI has the plugin, else {@code docker-compose}, else null. */
    private static List<String> composeTool() {
        for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException notInstalled) {
                // the next one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
