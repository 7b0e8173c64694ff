package dev.spine.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A nats-server of the test's own: its own client and monitoring ports, its own JetStream store and log
 * under a directory the test gives, started, killed and restarted by the test. The machine's shared
 * nats-server (4222) is never touched, so fault tests can kill this one while other tests run.
 *
 * <p>{@link #kill()} is SIGKILL (no shutdown, like a crash); {@link #start()} brings the same server back
 * on the same ports with the same store. {@link #close()} kills it. A JVM shutdown hook kills it too, so
 * a test JVM that dies leaves no server behind.
 *
 * <pre>{@code
 * try (PrivateNats nats = PrivateNats.builder(tempDir).build().start()) {
 *     Connection c = Nats.connect(nats.url());
 *     nats.kill();   // mid-load
 *     nats.start();  // same port, same store
 * }
 * }</pre>
 */
public final class PrivateNats implements AutoCloseable {
    /** How long {@link #start()} waits for {@code /healthz} to answer 200 (JetStream ready). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String name;
    private final int port;
    private final int monitorPort;
    private final Path configFile;
    private final List<String> extraArgs;
    private final boolean waitForHealth;
    private final java.util.Map<String, String> environment;
    private final Thread reaper = new Thread(this::killNow, "private-nats-reaper");
    private Process process;
    private int starts;

    private PrivateNats(Builder b) {
        this.dir = b.dir;
        this.name = b.name;
        this.port = b.port > 0 ? b.port : freePort();
        this.monitorPort = b.monitorPort > 0 ? b.monitorPort : freePort();
        this.configFile = b.configFile;
        this.extraArgs = List.copyOf(b.extraArgs);
        this.waitForHealth = b.waitForHealth;
        this.environment = java.util.Map.copyOf(b.environment);
    }

    /** A server keeping its store and log under {@code dir} (a test's temporary directory). */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** The nats-server binary: /usr/sbin/nats-server (Debian), else the first on PATH. */
    public static String binary() {
        if (Files.isExecutable(Path.of("/usr/sbin/nats-server"))) {
            return "/usr/sbin/nats-server";
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "nats-server"))) {
                return Path.of(p, "nats-server").toString();
            }
        }
        throw new IllegalStateException("nats-server not found in /usr/sbin or PATH: install it (Debian: "
                + "apt-get install nats-server) to run the fault tests");
    }

    /** A TCP port free on 127.0.0.1 right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port on 127.0.0.1", e);
        }
    }

    /** Starts (or restarts) the server and waits until it is healthy; returns this. */
    public synchronized PrivateNats start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("nats-server " + name + " already runs (pid " + process.pid() + ")");
        }
        List<String> cmd = new ArrayList<>(List.of(binary()));
        if (configFile != null) {
            cmd.addAll(List.of("-c", configFile.toString()));
        }
        cmd.addAll(List.of("-js", "-sd", dir.resolve(name + "-store").toString(), "-a", "127.0.0.1",
                "-p", String.valueOf(port), "-m", String.valueOf(monitorPort), "-n", name));
        cmd.addAll(extraArgs);
        try {
            Files.createDirectories(dir);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
        if (starts++ == 0) {
            Runtime.getRuntime().addShutdownHook(reaper);
        }
        if (waitForHealth) {
            awaitHealthy();
        }
        return this;
    }

    /** Waits until {@code /healthz} answers 200 (for a cluster node: JetStream is current). */
    public void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (healthStatus() != 200) {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException("nats-server " + name + " exited; log: " + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nats-server " + name + " not healthy within " + START_TIMEOUT
                        + "; log: " + tail());
            }
            pause(50);
        }
    }

    /** The HTTP status of {@code /healthz}, or -1 when the monitoring port does not answer. */
    public int healthStatus() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(monitorUrl() + "/healthz").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            try (InputStream ignored = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
                return c.getResponseCode();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** A monitoring endpoint's body, e.g. {@code /jsz} or {@code /varz}. */
    public String monitor(String path) {
        try (InputStream in = URI.create(monitorUrl() + path).toURL().openStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("GET " + monitorUrl() + path + " failed", e);
        }
    }

    /** SIGKILL, then waits until the process is gone: a crash, with no chance to flush or say goodbye. */
    public synchronized void kill() {
        killNow();
    }

    /** SIGTERM (a clean shutdown), then waits until the process is gone. */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            awaitExit(Duration.ofSeconds(30));
        }
    }

    private void killNow() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            awaitExit(Duration.ofSeconds(30));
        }
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("nats-server " + name + " (pid " + process.pid() + ") did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for nats-server " + name + " to exit", e);
        }
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String monitorUrl() {
        return "http://127.0.0.1:" + monitorPort;
    }

    public String name() {
        return name;
    }

    public Path log() {
        return dir.resolve(name + ".log");
    }

    /** The last lines of the server's log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log() + ")";
        }
    }

    @Override
    public synchronized void close() {
        killNow();
        if (starts > 0) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling a process we do not control
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Ports, name and config of a {@link PrivateNats}; unset ports are chosen free. */
    public static final class Builder {
        private final Path dir;
        private String name = "nats";
        private int port;
        private int monitorPort;
        private Path configFile;
        private final List<String> extraArgs = new ArrayList<>();
        private boolean waitForHealth = true;
        private final java.util.Map<String, String> environment = new java.util.HashMap<>();

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Server name; also names its store ({@code <name>-store}) and log ({@code <name>.log}). */
        public Builder name(String v) { this.name = v; return this; }
        public Builder port(int v) { this.port = v; return this; }
        public Builder monitorPort(int v) { this.monitorPort = v; return this; }
        /** A config file ({@code -c}); the command line's ports, host and store still win. */
        public Builder config(Path v) { this.configFile = v; return this; }
        /** More nats-server arguments. */
        public Builder args(String... v) { this.extraArgs.addAll(List.of(v)); return this; }
        /** A variable of the server's environment (a config file may refer to it as {@code $NAME}). */
        public Builder env(String name, String value) { this.environment.put(name, value); return this; }
        /** Whether {@link #start()} waits for {@code /healthz} 200 (default true; cluster nodes start first). */
        public Builder waitForHealth(boolean v) { this.waitForHealth = v; return this; }

        public PrivateNats build() {
            if (dir == null) {
                throw new IllegalArgumentException("dir must be set");
            }
            return new PrivateNats(this);
        }
    }
}
