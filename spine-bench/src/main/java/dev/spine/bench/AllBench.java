package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code spine bench all}: every headline figure beside its peers, in one run on the same services. Each
 * benchmark runs as a child process, one after the other (never two at once: they would measure each
 * other), ordered so that runs of the same workload sit next to each other in time: jobs and the three job
 * queues, then events, then spine and the two nats.js + pg-boss stacks. The peers run through
 * spine-bench/peers/run.sh; without Node.js the Node peers are skipped, said so, and their ratios left out.
 *
 * <p>Prints the markdown table of {@link BenchTable} on stdout and writes everything (each JSON line,
 * the ratios, the date, the machine, the servers' versions) to bench/results/latest.json (env
 * BENCH_RESULTS to write elsewhere). Env N / LAT_N pass to every run; BENCH_ONLY=jobs,pgboss,... runs a
 * subset (for trying the harness; a published result runs everything).
 */
final class AllBench implements BenchMain.Bench {
    /** In the order they run. */
    static final List<String> RUNS = List.of("jobs", "pgboss", "graphile", "jobrunr", "events", "spine", "node-stack",
            "node-stack-batch");
    private static final Set<String> OURS = Set.of("jobs", "events", "spine");
    /** The heap the spine run gets: the target for the job service (plus the bench's own publisher). */
    static final int SPINE_HEAP_MB = 256;
    private static final Set<String> NODE_PEERS = Set.of("pgboss", "graphile", "node-stack", "node-stack-batch");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);

    @Override
    public void run(BenchEnv env) throws Exception {
        Path root = repositoryRoot();
        ObjectMapper json = new ObjectMapper();
        String node = BenchProcess.firstLine(List.of("node", "--version"));
        if (node == null) {
            System.err.println("[bench] Node.js not found on PATH: pg-boss, graphile-worker and nats.js+pg-boss are "
                    + "NOT measured and their ratios are left out (install Node.js 20+ to compare with them)");
        }
        List<String> only = onlyRuns();
        Map<String, String> childEnv = Map.of("SPINE_PG_URL", env.pgUrl(), "SPINE_NATS_URL", env.natsUrl());
        ObjectNode runs = json.createObjectNode();
        String loadBefore = MachineInfo.loadAverage();
        for (String name : RUNS) {
            if (!only.contains(name)) {
                continue;
            }
            if (node == null && NODE_PEERS.contains(name)) {
                runs.putObject(name).put("skipped", "Node.js not found on PATH");
                continue;
            }
            JobsBench.progress("all: " + name);
            List<String> command = OURS.contains(name) ? ourCommand(name)
                    : List.of("bash", root.resolve("spine-bench/peers/run.sh").toString(), name);
            JsonNode line = BenchProcess.run(command, root, childEnv, RUN_TIMEOUT);
            JobsBench.progress("all: " + name + " -> " + line);
            runs.set(name, line);
        }
        ObjectNode latest = json.createObjectNode();
        latest.put("bench", "all");
        latest.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode machine = MachineInfo.describe(env, node);
        // The machine may be shared: the load says how much else ran beside the benchmarks.
        machine.put("load_average_before", loadBefore);
        machine.put("load_average_after", MachineInfo.loadAverage());
        latest.set("machine", machine);
        latest.put("workload", workload());
        latest.set("runs", runs);
        latest.set("ratios", HeadlineRatios.compute(runs));
        Path out = resultsFile(root);
        Files.createDirectories(out.getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), latest);
        System.out.print(BenchTable.markdown(latest));
        JobsBench.progress("all: wrote " + out);
    }

    /** This JVM's own launcher, options and class path, running BenchMain for one of our benchmarks. */
    private static List<String> ourCommand(String name) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (name.equals("spine") && c.stream().noneMatch(a -> a.startsWith("-Xmx"))) {
            c.add("-Xmx" + SPINE_HEAP_MB + "m"); // the job service at full load must fit its heap target
        }
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), name));
        return c;
    }

    private static List<String> onlyRuns() {
        String only = System.getenv("BENCH_ONLY");
        return only == null || only.isBlank() ? RUNS : Arrays.asList(only.trim().split("\\s*,\\s*"));
    }

    private static String workload() {
        String n = System.getenv("N");
        String latN = System.getenv("LAT_N");
        String only = System.getenv("BENCH_ONLY");
        return (n == null ? "N default" : "N=" + n) + ", " + (latN == null ? "LAT_N default" : "LAT_N=" + latN)
                + (only == null ? "" : ", only " + only);
    }

    private static Path resultsFile(Path root) {
        String f = System.getenv("BENCH_RESULTS");
        return f == null || f.isBlank() ? root.resolve("bench/results/latest.json") : Path.of(f).toAbsolutePath();
    }

    /** The checkout this class was loaded from (spine-bench/target/classes), else the working directory. */
    static Path repositoryRoot() throws URISyntaxException {
        Path classes = Path.of(AllBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (classes.endsWith(Path.of("spine-bench", "target", "classes"))) {
            return classes.getParent().getParent().getParent();
        }
        return Path.of("").toAbsolutePath();
    }
}
