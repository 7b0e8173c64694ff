package dev.spine.server.demo;

import dev.spine.events.EventBus;
import dev.spine.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's workers, each with its own job types. Each runs as a JVM of its own (this process's java and class
 * path, {@link DemoWorker#main}, the demo's settings in its environment), except on the in-memory event backend,
 * where a separate process could not reach the job service's events: there each runs inside this process, still
 * with its own queue and registry entry. {@link #close} stops them gracefully (their stdin closed); a shutdown
 * hook kills them if the demo is interrupted; and a worker whose demo died sees its stdin end and stops.
 */
final class DemoWorkers implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    /** One worker as the demo sees it. */
    interface Running {
        String name();

        /** The latest report (null until it started). */
        DemoWorker.Report latest();

        /** Stops it gracefully and returns its last report. */
        DemoWorker.Report stop() throws InterruptedException;

        /** Ends it at once (the demo was interrupted). */
        void kill();
    }

    private final ServerConfig server;
    private final List<Running> started = new ArrayList<>();
    private final Thread killOnExit = new Thread(this::killAll, "spine-demo-kill-workers");

    DemoWorkers(ServerConfig server) {
        this.server = server;
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts a worker for {@code types}: a JVM of its own, or with {@code inProcessBus} (the job service's bus)
     * inside this process. A process's {@link Running#latest} is null until it has started working.
     */
    Running start(String name, List<String> types, EventBus inProcessBus) throws IOException {
        Running r = inProcessBus == null ? new Child(name, types)
                : new InProcess(DemoWorker.start(server, name, types, inProcessBus));
        started.add(r);
        return r;
    }

    /** Waits until every started worker works (its registry row is written), or fails naming the one that did not. */
    void awaitStarted() throws InterruptedException {
        for (Running r : started) {
            if (r instanceof Child c) {
                c.awaitReady();
            }
        }
    }

    /** Stops every worker gracefully and returns their last reports, in start order. */
    List<DemoWorker.Report> stopAll() throws InterruptedException {
        List<DemoWorker.Report> reports = new ArrayList<>();
        for (Running r : started) {
            reports.add(r.stop());
        }
        return reports;
    }

    private void killAll() {
        started.forEach(Running::kill);
    }

    /** Kills what is still running (after {@link #stopAll}, nothing) and drops the shutdown hook. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
    }

    /** A worker JVM. */
    private final class Child implements Running {
        private final String name;
        private final Process process;
        private final AtomicReference<DemoWorker.Report> latest = new AtomicReference<>();
        private final CountDownLatch ready = new CountDownLatch(1);
        private final Deque<String> otherOutput = new ArrayDeque<>();
        private final Thread reader;

        Child(String name, List<String> types) throws IOException {
            this.name = name;
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                            "java").toString()),
                    // a short-lived worker: little JIT and a small heap start faster on a busy machine
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    name));
            command.addAll(command.size() - 1, mainClass());
            command.addAll(types);
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            // the settings go in the environment, not the command line, where ps would show a password
            server.asVariables().forEach((k, v) -> {
                if (v != null) {
                    pb.environment().put(k, v);
                }
            });
            this.process = pb.start();
            this.reader = new Thread(this::read, "spine-demo-worker-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DemoWorker.Report latest() {
            return latest.get();
        }

        /** How this process was started: the class path ({@code ./spine}), or the module path ({@code java -p ... -m}). */
        private static List<String> mainClass() {
            Module module = DemoWorker.class.getModule();
            String modulePath = System.getProperty("jdk.module.path");
            if (module.isNamed() && modulePath != null) {
                return List.of("-p", modulePath, "-m", module.getName() + "/" + DemoWorker.class.getName());
            }
            return List.of("-cp", System.getProperty("java.class.path"), DemoWorker.class.getName());
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(DemoWorker.READY)) {
                        latest.set(DemoWorker.Report.fromJson(line.substring(DemoWorker.READY.length())));
                        ready.countDown();
                    } else if (line.startsWith(DemoWorker.RUNS)) {
                        latest.set(DemoWorker.Report.fromJson(line.substring(DemoWorker.RUNS.length())));
                    } else {
                        synchronized (otherOutput) { // kept for the error if it never starts
                            otherOutput.addLast(line);
                            if (otherOutput.size() > 20) {
                                otherOutput.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away: awaitReady and stop report what is missing
                synchronized (otherOutput) {
                    otherOutput.addLast("(reading its output failed: " + e + ")");
                }
            }
        }

        void awaitReady() throws InterruptedException {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!ready.await(100, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String output;
                    synchronized (otherOutput) {
                        output = String.join("\n", otherOutput);
                    }
                    throw new IllegalStateException("demo worker " + name + " did not start ("
                            + (process.isAlive() ? "still starting after " + START_TIMEOUT : "exit " + process.exitValue())
                            + "; its log is above)" + (output.isEmpty() ? "" : ":\n" + output));
                }
            }
        }

        @Override
        public DemoWorker.Report stop() throws InterruptedException {
            try {
                process.getOutputStream().close(); // its stdin ends: it stops gracefully and reports once more
            } catch (IOException e) {
                // already closed: the process is gone, waitFor returns at once
            }
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("demo worker " + name + " did not stop within " + STOP_TIMEOUT
                        + ": killed");
            }
            reader.join(TimeUnit.SECONDS.toMillis(5)); // its last report line
            return latest.get();
        }

        @Override
        public void kill() {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: its shutdown hook hands its running jobs back
            }
        }
    }

    /** A worker inside this process (the in-memory backend). */
    private static final class InProcess implements Running {
        private final DemoWorker worker;

        InProcess(DemoWorker worker) {
            this.worker = worker;
        }

        @Override
        public String name() {
            return worker.report().name();
        }

        @Override
        public DemoWorker.Report latest() {
            return worker.report();
        }

        @Override
        public DemoWorker.Report stop() {
            worker.close();
            return worker.report();
        }

        @Override
        public void kill() {
            worker.close();
        }
    }
}
