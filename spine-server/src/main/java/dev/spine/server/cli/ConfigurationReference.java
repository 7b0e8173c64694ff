package dev.spine.server.cli;

import dev.spine.gateway.GatewayConfig;
import dev.spine.server.LogFormat;
import dev.spine.server.ServerConfig;
import dev.spine.events.NatsSettings;
import dev.spine.service.PostgresSettings;
import dev.spine.service.ServiceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code CONFIGURATION.md}, the one reference of every variable of every spine process, from the
 * settings tables in code ({@link ServerConfig#VARIABLES} and the per-concern tables it is made of), so the
 * file cannot drift from what the processes read: {@code ConfigurationReferenceTest} fails when the committed
 * file differs, and {@code ./spine config-doc} rewrites it. The shell launchers' own variables are not read by
 * Java, so they are declared here, in {@link #LAUNCHER} and {@link #PACKAGED_CLI}.
 */
public final class ConfigurationReference {
    /** Read by {@code ./spine} (scripts/lib/*.sh), the launcher of a checkout. */
    static final Map<String, String[]> LAUNCHER = table(
            "SPINE_PG_URL", "", "PostgreSQL to use; unset: 127.0.0.1:5432 db test when it answers, else a private instance",
            "SPINE_NATS_URL", "", "NATS to use; unset: 127.0.0.1:4222 when it answers with JetStream, else a private instance",
            "SPINE_STATE_DIR", ".spine", "where private instances keep data, ports and pids (relative: from the project root)",
            "SPINE_JAVA_OPTS", "", "JVM options of the CLI and benchmarks, split on whitespace",
            "SPINE_SKIP_BUILD", "", "1: run target/ as it is, build nothing",
            "PROMTOOL", "", "promtool for the alert rules' tests; unset: PATH, else unpacked into .spine/tools",
            "CI", "", "true: a launcher check that cannot run (no root, no ip netns) fails instead of warning");
    /** Read by commands that ask a running server instead of PostgreSQL or NATS ({@code spine breakers}). */
    static final Map<String, String[]> COMMANDS = table(
            "SPINE_ADMIN_URL", "http://127.0.0.1:8080",
            "the admin API spine breakers asks (or --api), keyed with SPINE_READ_TOKEN or SPINE_ADMIN_TOKEN");
    /** Read by {@code bin/spine} of the packaged CLI ({@code ./spine dist}). */
    static final Map<String, String[]> PACKAGED_CLI = table(
            "JAVA_HOME", "", "the Java 17+ runtime to use; unset: java on PATH",
            "SPINE_JAVA_OPTS", "", "JVM options, split on whitespace");
    /**
     * A value worth copying for variables whose default shows none (empty defaults), and for a few whose
     * default is not what one would write in production. Every variable without a default must have one.
     */
    static final Map<String, String> EXAMPLES = examples(
            "SPINE_PG_URL", "jdbc:postgresql://db:5432/spine?user=spine&password=secret",
            "SPINE_NATS_URL", "nats://nats-1:4222,nats://nats-2:4222",
            "SPINE_PG_SCHEMA", "platform_jobs",
            "SPINE_STREAM_PREFIX", "staging-",
            "SPINE_SUBJECT_PREFIX", "events.",
            "SPINE_STREAM_REPLICAS", "3",
            "SPINE_NATS_USER", "job-service",
            "SPINE_NATS_PASSWORD", "(from a secret store)",
            "SPINE_NATS_TOKEN", "(from a secret store)",
            "SPINE_NATS_NKEY_SEED_FILE", "/etc/spine/job-service.nk",
            "SPINE_NATS_CREDS_FILE", "/etc/spine/job-service.creds",
            "SPINE_NATS_TLS_CA", "/etc/spine/nats-ca.pem",
            "SPINE_NATS_TLS_CERT", "/etc/spine/job-service.pem",
            "SPINE_NATS_TLS_KEY", "/etc/spine/job-service.key",
            "SPINE_ROUTES_FILE", "/etc/spine/routes.yaml",
            "SPINE_PLUGINS_DIR", "/app/plugins",
            "SPINE_DOMAINS", "connector,communication,data,rule,job,ai,system,billing",
            "SPINE_DOMAINS_FILE", "/etc/spine/domains.txt",
            "SPINE_EVENT_TYPE_MAP", "widget.spun=data.WidgetSpun,order.placed=data.OrderPlaced",
            "SPINE_BUS_WEBHOOK_ALLOW", "10.1.0.0/16,hooks.internal",
            "SPINE_READ_TOKEN", "(from a secret store)",
            "SPINE_ADMIN_ADDR", "0.0.0.0:9090",
            "SPINE_LIFECYCLE_EVENTS", "true",
            "SPINE_INGEST_PRIORITY_LANES", "true",
            "SPINE_EVENT_BUS", "postgres",
            "SPINE_HTTP_ADDR", "0.0.0.0:8080",
            "SPINE_ADMIN_TOKEN", "(from a secret store)",
            "SPINE_JAEGER_URL", "https://jaeger.internal",
            "SPINE_PUSH_HANDLERS", "SendOutgoingMessageJob=https://messaging.internal/spine/jobs",
            "SPINE_PUSH_SECRET", "(from a secret store)",
            "SPINE_LOG_FORMAT", "json",
            "SPINE_STATE_DIR", "/tmp/spine-2",
            "SPINE_JAVA_OPTS", "-Xmx512m",
            "SPINE_SKIP_BUILD", "1",
            "SPINE_ADMIN_URL", "http://spine-admin.internal:9090",
            "PROMTOOL", "/opt/prometheus/promtool",
            "CI", "true",
            "JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64");

    private ConfigurationReference() {}

    /** {@code ConfigurationReference PATH}: (re)writes the reference at PATH ({@code ./spine config-doc}). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ConfigurationReference PATH_OF_CONFIGURATION.md");
            System.exit(SpineCommand.INVALID);
        }
        Files.writeString(Path.of(args[0]), render());
    }

    /** The whole file. */
    public static String render() {
        Map<String, String[]> engine = without(ServiceConfig.VARIABLES, NatsSettings.VARIABLES, PostgresSettings.VARIABLES);
        Map<String, String[]> process = without(ServerConfig.VARIABLES, ServiceConfig.VARIABLES,
                GatewayConfig.VARIABLES, LogFormat.VARIABLES);
        StringBuilder s = new StringBuilder();
        s.append("# Configuration\n\n")
                .append("<!-- Generated from the settings tables in code by ConfigurationReference (spine-server); do not\n")
                .append("     edit: run ./spine config-doc. ConfigurationReferenceTest fails when this file is out of date. -->\n\n")
                .append("Every variable of every spine process: name, default, meaning, and an example. Unset or blank means\n")
                .append("the default; a bad value stops the process with a message naming the variable. Every default runs\n")
                .append("against the local services of a developer machine.\n\n")
                .append("`spine serve` (the job service with the event gateway and the admin API), `spine demo` and every\n")
                .append("other `spine` command read the first six tables (`spine serve --help` lists them too). The\n")
                .append("commands that read or change an operator's data (`queues`, `jobs`, `dead-letters`, `streams`, `tail`,\n")
                .append("`publish`, `replay`, `migrate`) need `SPINE_PG_URL` / `SPINE_NATS_URL` (or `--pg` / `--nats`) for\n")
                .append("what they touch, and stop naming the variable when it is unset, unless `--dev` asks for the\n")
                .append("local defaults.\n\n");
        section(s, "PostgreSQL", "spine-job-service `PostgresSettings`", PostgresSettings.VARIABLES);
        section(s, "NATS", "spine-events `NatsSettings` (with `NatsConnections`: authentication, TLS)",
                NatsSettings.VARIABLES);
        section(s, "Engine: routing, ingest, workers", "spine-job-service `ServiceConfig`, `IngestSettings`, "
                + "`WorkerSettings`", engine);
        section(s, "Process: event backend and admin HTTP", "spine-server `ServerConfig`", process);
        section(s, "Event bus over HTTP", "spine-gateway `GatewayConfig`", GatewayConfig.VARIABLES);
        section(s, "Logging", "spine-server `LogFormat`, read by `logback.xml`", LogFormat.VARIABLES);
        s.append("Tracing is configured by the standard OpenTelemetry variables (`OTEL_SERVICE_NAME`,\n")
                .append("`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_EXPORTER`, ...; see spine-job-service's README).\n\n");
        section(s, "Commands that ask a running server", "spine-server `BreakersCommand`", COMMANDS);
        section(s, "The launcher `./spine` (a checkout)", "scripts/lib/*.sh; README.md, \"Services\"", LAUNCHER);
        section(s, "The packaged CLI `bin/spine` (`./spine dist`)", "spine-server/src/main/dist/bin/spine", PACKAGED_CLI);
        return s.toString();
    }

    private static void section(StringBuilder s, String title, String source, Map<String, String[]> variables) {
        s.append("## ").append(title).append("\n\n").append("Declared in ").append(source).append(".\n\n")
                .append("| variable | default | meaning | example |\n|---|---|---|---|\n");
        variables.forEach((name, v) -> {
            String example = EXAMPLES.getOrDefault(name, v[0]);
            if (example.isEmpty()) {
                throw new IllegalStateException(name + " has no default, so it needs an example: add one to "
                        + "ConfigurationReference.EXAMPLES");
            }
            s.append("| `").append(name).append("` | ").append(v[0].isEmpty() ? "(empty)" : "`" + cell(v[0]) + "`")
                    .append(" | ").append(cell(v[1])).append(" | `").append(cell(example)).append("` |\n");
        });
        s.append('\n');
    }

    /** A table cell: a literal | would end it. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    @SafeVarargs
    private static Map<String, String[]> without(Map<String, String[]> all, Map<String, String[]>... parts) {
        Map<String, String[]> rest = new LinkedHashMap<>(all);
        for (Map<String, String[]> part : parts) {
            rest.keySet().removeAll(part.keySet());
        }
        return rest;
    }

    private static Map<String, String[]> table(String... nameDefaultMeaning) {
        Map<String, String[]> t = new LinkedHashMap<>();
        for (int i = 0; i < nameDefaultMeaning.length; i += 3) {
            t.put(nameDefaultMeaning[i], new String[] {nameDefaultMeaning[i + 1], nameDefaultMeaning[i + 2]});
        }
        return t;
    }

    private static Map<String, String> examples(String... nameExample) {
        Map<String, String> t = new LinkedHashMap<>();
        for (int i = 0; i < nameExample.length; i += 2) {
            t.put(nameExample[i], nameExample[i + 1]);
        }
        return t;
    }
}
