package dev.spine.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test's own, made the way the {@code ./spine} launcher makes its private
 * instance (scripts/lib/services.sh): {@code initdb} into a fresh directory with trust auth, superuser
 * {@code postgres}, database {@code test}, listening on a free 127.0.0.1 port, TCP only. PostgreSQL
 * refuses to run as root, so as root the cluster runs as the launcher's system user {@value #SYSTEM_USER}
 * (created like the launcher does when it is missing).
 *
 * <p>{@link #stop()} (fast shutdown: sessions are cut) and {@link #start()} restart the same cluster on
 * the same port; {@link #close()} stops it and deletes its directory. The machine's shared PostgreSQL
 * is never touched.
 */
public final class PrivatePostgres implements AutoCloseable {
    /** The unprivileged user the cluster runs as when the tests run as root (the launcher's user). */
    public static final String SYSTEM_USER = "spine-pg";
    /** How long {@code pg_ctl start} may take. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final int port;
    private final String bin;
    private final Thread reaper = new Thread(this::stopQuietly, "private-postgres-reaper");
    private boolean running;

    private PrivatePostgres(Path home, int port, String bin) {
        this.home = home;
        this.port = port;
        this.bin = bin;
    }

    /** Creates a cluster in a new directory under the system temp dir and starts it. */
    public static PrivatePostgres start(String label) {
        String bin = binDir();
        try {
            Path home = Files.createTempDirectory("spine-pg-" + label.replaceAll("[^A-Za-z0-9]", "") + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.createDirectories(home.resolve("data"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (isRoot()) {
                ensureSystemUser();
                run(List.of("chown", "-R", SYSTEM_USER + ":", home.toString()), home);
            }
            run(asPgUser(List.of(bin + "/initdb", "-D", home.resolve("data").toString(), "-U", "postgres",
                    "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")), home);
            PrivatePostgres pg = new PrivatePostgres(home, PrivateNats.freePort(), bin);
            Runtime.getRuntime().addShutdownHook(pg.reaper);
            pg.start();
            pg.createDatabase("test");
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a private PostgreSQL cluster", e);
        }
    }

    /** The newest /usr/lib/postgresql/N/bin, else the directory of initdb on PATH. */
    public static String binDir() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().toString();
                }
            } catch (IOException e) {
                // fall through to PATH
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "initdb"))) {
                return p;
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found in "
                + "/usr/lib/postgresql/*/bin or PATH: install them (Debian: apt-get install postgresql)");
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Starts the cluster (again) on its port and waits until it accepts connections. */
    public synchronized void start() {
        run(asPgUser(List.of(bin + "/pg_ctl", "start", "-D", home.resolve("data").toString(), "-l",
                home.resolve("postgres.log").toString(), "-w", "-t", String.valueOf(START_TIMEOUT.toSeconds()),
                "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -c unix_socket_directories='' "
                        + "-c max_connections=100 -c fsync=off")), home);
        running = true;
    }

    /** Fast shutdown: open sessions are rolled back and cut, like a server restart under the clients. */
    public synchronized void stop() {
        run(asPgUser(List.of(bin + "/pg_ctl", "stop", "-D", home.resolve("data").toString(), "-m", "fast",
                "-w", "-t", "60")), home);
        running = false;
    }

    public synchronized boolean running() {
        return running;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/test?user=postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test?user=postgres";
    }

    public int port() {
        return port;
    }

    /** The server log's last lines, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("postgres.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void createDatabase(String name) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        try (Connection c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + " on " + url, e);
        }
    }

    @Override
    public synchronized void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    private void stopQuietly() {
        if (!Files.exists(home.resolve("data/postmaster.pid"))) {
            return;
        }
        try {
            run(asPgUser(List.of(bin + "/pg_ctl", "stop", "-D", home.resolve("data").toString(), "-m", "immediate",
                    "-w", "-t", "30")), home);
        } catch (IllegalStateException e) {
            System.err.println("stopping the private PostgreSQL in " + home + " failed: " + e.getMessage());
        }
        running = false;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPgUser(List<String> cmd) {
        if (!isRoot()) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SYSTEM_USER, "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /** The launcher's way (scripts/lib/services.sh ensure_pg_system_user): a system user without a home. */
    private static synchronized void ensureSystemUser() {
        try {
            if (new ProcessBuilder("id", "-u", SYSTEM_USER).start().waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run id", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        run(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                "/usr/sbin/nologin", SYSTEM_USER), Path.of("/"));
    }

    /** Runs a command from {@code dir} (initdb and pg_ctl need a cwd their user can read), failing with its output. */
    private static void run(List<String> cmd, Path dir) {
        try {
            Path out = Files.createTempFile("spine-pg-cmd-", ".out");
            try {
                Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                if (!p.waitFor(START_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(cmd + " did not finish: " + Files.readString(out));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(cmd + " failed (exit " + p.exitValue() + "): " + Files.readString(out));
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        }
    }
}
