package dev.spine.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code spine serve} in a JVM of its own with a fixed heap ({@code -Xmx}, exiting on OutOfMemoryError) and a GC
 * log, for the live bench: the server's heap is then measured apart from the bench's clients. Its output goes
 * to a log file in {@code dir}; the heap figures come from the GC log (the heap in use before and after each
 * collection), so nothing has to be attached to the server.
 */
final class LiveServer implements AutoCloseable {
    private static final String MAIN = "dev.spine.server.cli.SpineCli";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    /** {@code 123M->45M(256M)} in a unified GC log line: used before, used after, committed. */
    private static final Pattern GC_SIZES = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private final Process process;
    private final Path log;
    private final Path gcLog;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LiveServer(Process process, Path log, Path gcLog, String base) {
        this.process = process;
        this.log = log;
        this.gcLog = gcLog;
        this.base = base;
    }

    /** Starts the server from this checkout's spine-server build with {@code env} on top of ours; waits until ready. */
    static LiveServer start(Path root, Map<String, String> env, int port, int heapMb, Path dir) throws Exception {
        Path classes = root.resolve("spine-server/target/classes");
        Path lib = root.resolve("spine-server/target/lib");
        if (!Files.isDirectory(classes) || !Files.isDirectory(lib)) {
            throw new IllegalStateException("no spine-server build in " + root + " (" + classes + ", " + lib
                    + "): run ./spine build, or mvn -q -B -DskipTests install -Pdist");
        }
        Path log = dir.resolve("server.log");
        Path gcLog = dir.resolve("gc.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMb + "m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog,
                "-cp", classes + java.io.File.pathSeparator + lib + java.io.File.separator + "*", MAIN, "serve"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putAll(env);
        LiveServer server = new LiveServer(pb.start(), log, gcLog, "http://127.0.0.1:" + port);
        server.process.getOutputStream().close();
        try {
            server.awaitReady();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** A port free now on 127.0.0.1 (the server binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String base() {
        return base;
    }

    Path log() {
        return log;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + " before it was "
                        + "ready; its output: " + log);
            }
            try {
                if (get("/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // polled again below
            }
            Thread.sleep(200); // a poll interval, not synchronisation
        }
        throw new IllegalStateException("the server was not ready within " + READY_TIMEOUT.toSeconds() + " s; its "
                + "output: " + log);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled series of {@code /metrics}; -1 when it is not there. */
    double metric(String name) throws IOException, InterruptedException {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    /** Null while the server runs, else its exit code (an OutOfMemoryError exits it). */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** From the GC log so far: {most used before a collection, most used after one, collections} in MiB. */
    long[] heap() throws IOException {
        long before = 0;
        long after = 0;
        long collections = 0;
        if (!Files.exists(gcLog)) {
            return new long[] {0, 0, 0};
        }
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_SIZES.matcher(line);
            if (m.find()) {
                before = Math.max(before, mib(m.group(1), m.group(2)));
                after = Math.max(after, mib(m.group(3), m.group(4)));
                collections++;
            }
        }
        return new long[] {before, after, collections};
    }

    private static long mib(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit) {
            case "K" -> v >> 10;
            case "G" -> v << 10;
            default -> v;
        };
    }

    /** SIGTERM (a graceful close), then a kill if it takes longer than its shutdown timeout. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
