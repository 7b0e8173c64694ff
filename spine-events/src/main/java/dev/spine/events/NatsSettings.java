package dev.spine.events;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.Domains;
import dev.spine.contracts.InvalidEventException;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one reader of a process's NATS settings, used by every entry point (the job service, the
 * {@code spine} command line, {@code EventBuses}, the bench): where NATS is and how to sign in
 * ({@link NatsConnections}: {@code SPINE_NATS_URL}, {@code SPINE_NATS_*}), and the streams it uses
 * ({@link StreamTopology}: {@code SPINE_STREAM_PREFIX}, {@code SPINE_SUBJECT_PREFIX},
 * {@code SPINE_STREAM_REPLICAS}, and the domains from {@code SPINE_DOMAINS} or {@code SPINE_DOMAINS_FILE}).
 * A bad value fails with {@link ConfigException} naming its variable.
 *
 * <pre>{@code
 * NatsSettings nats = NatsSettings.from(System.getenv()::get);
 * Spine spine = Spine.builder(nats.connections(), "billing").topology(nats.topology()).build();
 * }</pre>
 *
 * @param domainsFile the file the domains were read from, or null (kept so {@link #asVariables()} names it)
 */
public record NatsSettings(NatsConnections connections, StreamTopology topology, Path domainsFile) {
    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    public static final String STREAM_PREFIX = "SPINE_STREAM_PREFIX";
    public static final String SUBJECT_PREFIX = "SPINE_SUBJECT_PREFIX";
    public static final String REPLICAS = "SPINE_STREAM_REPLICAS";
    public static final String DOMAINS = "SPINE_DOMAINS";
    public static final String DOMAINS_FILE = "SPINE_DOMAINS_FILE";

    /** Every variable with its default ("" for none) and meaning, in the order {@code --help} lists them. */
    public static final Map<String, String[]> VARIABLES = variables();

    private static Map<String, String[]> variables() {
        VariableTable t = new VariableTable()
                .add(NatsConnections.URL, DEFAULT_URL, "NATS server(s), comma-separated")
                .add(STREAM_PREFIX, "", "prefix of stream names (shared clusters, tests)")
                .add(SUBJECT_PREFIX, "", "prefix of event subjects, e.g. events.")
                .add(REPLICAS, String.valueOf(StreamTopology.DEFAULT_REPLICAS),
                        "replicas of the streams a process creates (3 in a cluster; existing streams are never lowered)")
                .add(DOMAINS, "", "the event domains, comma-separated; empty: " + String.join(",", Domains.DEFAULT_DOMAINS))
                .add(DOMAINS_FILE, "", "a file of domains, one per line (# comments), instead of " + DOMAINS);
        // authentication and TLS (empty: none); secrets are never logged nor shown by toString()
        NatsConnections.VARIABLES.forEach((name, meaning) -> t.add(name, "", meaning));
        return t.build();
    }

    /** Settings from any lookup (the process environment: {@code System.getenv()::get}); unset or blank: default. */
    public static NatsSettings from(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        NatsConnections connections = NatsConnections.fromEnvironment(env);
        String domainsFile = r.text(DOMAINS_FILE);
        Domains domains = domains(env);
        StreamTopology.Builder b = StreamTopology.builder().streamNamePrefix(r.text(STREAM_PREFIX))
                .subjectPrefix(r.text(SUBJECT_PREFIX)).replicas(r.integer(REPLICAS, 1, 5)).domains(domains);
        StreamTopology topology;
        try {
            topology = b.build();
        } catch (IllegalArgumentException e) {
            // the builder's messages start with the field at fault
            String variable = e.getMessage().startsWith("subjectPrefix") ? SUBJECT_PREFIX
                    : e.getMessage().startsWith("streamNamePrefix") ? STREAM_PREFIX : DOMAINS;
            throw new ConfigException(variable, e.getMessage());
        }
        return new NatsSettings(connections, topology, domainsFile.isEmpty() ? null : Path.of(domainsFile));
    }

    /** The settings of the process environment. */
    public static NatsSettings fromEnvironment() {
        return from(System.getenv()::get);
    }

    /**
     * The domains alone ({@code SPINE_DOMAINS} or {@code SPINE_DOMAINS_FILE}, else the platform's defaults): what
     * a bus that is not on NATS needs of these settings.
     */
    public static Domains domains(Function<String, String> env) {
        SettingsReader r = new SettingsReader(env, VARIABLES);
        return domains(r.text(DOMAINS), r.text(DOMAINS_FILE));
    }

    private static Domains domains(String list, String file) {
        if (!list.isEmpty() && !file.isEmpty()) {
            throw new ConfigException(DOMAINS_FILE, "set either " + DOMAINS + " or " + DOMAINS_FILE + ", not both");
        }
        if (!file.isEmpty()) {
            return domainsFromFile(Path.of(file));
        }
        if (list.isEmpty()) {
            return Domains.defaults();
        }
        List<String> names = new ArrayList<>();
        for (String d : list.split(",")) {
            names.add(d.strip());
        }
        return domains(names, DOMAINS, "");
    }

    private static Domains domainsFromFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(DOMAINS_FILE, "cannot read " + file + ": " + e.getMessage());
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            int hash = line.indexOf('#');
            String d = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (!d.isEmpty()) {
                names.add(d);
            }
        }
        return domains(names, DOMAINS_FILE, " in " + file);
    }

    private static Domains domains(List<String> names, String variable, String where) {
        if (names.isEmpty() || names.contains("")) {
            throw new ConfigException(variable, "must name at least one domain and no empty one" + where);
        }
        try {
            return Domains.of(names.toArray(String[]::new));
        } catch (InvalidEventException e) {
            throw new ConfigException(variable, e.getMessage() + where);
        }
    }

    /** The servers, as {@code SPINE_NATS_URL} names them. */
    public String url() {
        return connections.servers();
    }

    public String streamPrefix() {
        return topology.streamNamePrefix();
    }

    public String subjectPrefix() {
        return topology.subjectPrefix();
    }

    public int replicas() {
        return topology.replicas();
    }

    /**
     * These settings as variables, the inverse of {@link #from} (secrets included: never log them). Domains
     * read from a file are named by the file; the default domains by an empty {@code SPINE_DOMAINS}.
     */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>(connections.asVariables());
        m.put(STREAM_PREFIX, streamPrefix());
        m.put(SUBJECT_PREFIX, subjectPrefix());
        m.put(REPLICAS, String.valueOf(replicas()));
        boolean defaults = topology.domains().equals(Domains.defaults());
        m.put(DOMAINS, domainsFile != null || defaults ? "" : String.join(",", topology.domains().names()));
        m.put(DOMAINS_FILE, domainsFile == null ? "" : domainsFile.toString());
        return m;
    }
}
