package dev.spine.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node.js examples under {@code examples/} from a test. The executable is {@code SPINE_NODE}
 * ({@code ./spine test} sets it, installing Node.js when missing) or {@code node} on the PATH; without one a
 * test fails and says what to install, it never skips.
 */
public final class NodeJs implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;

    private NodeJs(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The node executable, or an {@link IllegalStateException} naming what to install. */
    public static Path executable() {
        String named = System.getenv("SPINE_NODE");
        if (named != null && !named.isBlank()) {
            Path path = Path.of(named);
            if (Files.isExecutable(path)) {
                return path;
            }
            throw new IllegalStateException("SPINE_NODE=" + named + " is not an executable file");
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("this test runs a Node.js example and needs node 18+: install it "
                + "(Debian/Ubuntu: apt-get install -y nodejs; ./spine test does this) or name it in SPINE_NODE");
    }

    /**
     * Starts {@code node script args...} in the script's folder with {@code env} added to this process's
     * environment; its output goes to a log file that {@link #output()} reads.
     */
    public static NodeJs start(Path script, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(executable().toString(), script.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("spine-node-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(script.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new NodeJs(builder.start(), log);
    }

    /** Everything the process printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL and wait: the worker dies mid-job without saying anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
    }
}
