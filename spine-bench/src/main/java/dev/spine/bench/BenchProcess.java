package dev.spine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark run as a child process: its stderr (progress) passes through to ours, its stdout is read
 * for the last line that starts with '{' (the one JSON line every benchmark and peer prints). A run that
 * fails, times out or prints no JSON yields {@code {"error": ...}} so that one bad run costs its own figures
 * and nothing else.
 */
final class BenchProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchProcess() {}

    static JsonNode run(List<String> command, Path workDir, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(() -> readLines(p, lines), "bench-stdout");
            reader.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return error("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            String last = null;
            synchronized (lines) {
                for (String line : lines) {
                    if (line.startsWith("{")) {
                        last = line;
                    }
                }
            }
            if (last == null) {
                return error("exit " + p.exitValue() + " without a JSON line: " + String.join(" ", command));
            }
            return JSON.readTree(last);
        } catch (IOException e) {
            return error(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error("interrupted");
        }
    }

    private static void readLines(Process p, List<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // The process went away; what was read is all there is, and run() reports a missing line.
            System.err.println("[bench] reading a child's stdout: " + e);
        }
    }

    /** Runs a short command (a version probe) and returns its first stdout line, or null if it cannot run. */
    static String firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String line;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0 ? line : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }
}
