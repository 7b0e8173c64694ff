package dev.spine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * What a result was measured on: cores, memory, CPU model, OS, JDK, Node.js, and the versions of the
 * PostgreSQL and nats-server the benchmarks ran against (asked of the servers themselves, not of whatever
 * binaries happen to be on PATH). A figure that cannot be read is "unknown", never a guess.
 */
final class MachineInfo {
    private static final String UNKNOWN = "unknown";

    private MachineInfo() {}

    static ObjectNode describe(BenchEnv env, String nodeVersion) {
        ObjectNode m = new ObjectMapper().createObjectNode();
        String nproc = BenchProcess.firstLine(List.of("nproc"));
        m.put("nproc", nproc == null ? String.valueOf(Runtime.getRuntime().availableProcessors()) : nproc.trim());
        m.put("memory_mb", memoryMb());
        m.put("cpu_model", procField(Path.of("/proc/cpuinfo"), "model name"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("node", nodeVersion == null ? "not found" : nodeVersion);
        m.put("postgresql", postgresVersion(env));
        m.put("nats_server", natsVersion(env));
        return m;
    }

    /** The 1, 5 and 15 minute load averages of /proc/loadavg. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            System.err.println("[bench] cannot read /proc/loadavg: " + e);
            return UNKNOWN;
        }
    }

    private static String memoryMb() {
        String kb = procField(Path.of("/proc/meminfo"), "MemTotal");
        if (kb.equals(UNKNOWN)) {
            return kb;
        }
        return String.valueOf(Long.parseLong(kb.replaceAll("\\D", "")) / 1024);
    }

    /** The value of the first "name : value" line of a /proc file. */
    private static String procField(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            System.err.println("[bench] cannot read " + file + ": " + e);
        }
        return UNKNOWN;
    }

    private static String postgresVersion(BenchEnv env) {
        try (java.sql.Connection c = DriverManager.getConnection(env.pgUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show server_version")) {
            return rs.next() ? rs.getString(1) : UNKNOWN;
        } catch (Exception e) {
            System.err.println("[bench] cannot ask PostgreSQL its version: " + e);
            return UNKNOWN;
        }
    }

    private static String natsVersion(BenchEnv env) {
        try (Connection c = env.connectNats()) {
            return c.getServerInfo().getVersion();
        } catch (Exception e) {
            System.err.println("[bench] cannot ask nats-server its version: " + e);
            return UNKNOWN;
        }
    }
}
