package dev.spine.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time a measured phase cost: this JVM's, and that of the PostgreSQL backends serving this benchmark
 * (found by the application name every bench connection carries). Throughput swings with whatever else runs
 * on the machine; CPU per job far less, so it shows whether a change made the work itself cheaper.
 * PostgreSQL's share is read from /proc, so it needs the server on this host (else it reports -1). The
 * backends are looked up through a connection the benchmark opens before its warm-up and keeps: one opened
 * at the start of a measured phase (its start-up messages) deoptimised the JDBC driver's compiled result
 * loop, which C2 then recompiled during the measured drain (about a second of it).
 */
final class CpuMeter {
    /** The application_name of this benchmark's PostgreSQL connections. */
    static final String APPLICATION = "spine-bench-" + ProcessHandle.current().pid();
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Connection lookup;
    private final long jvmStart;
    private final long pgStart;

    private CpuMeter(Connection lookup) {
        this.lookup = lookup;
        this.jvmStart = jvmNanos();
        this.pgStart = pgNanos(lookup);
    }

    /** The URL with this benchmark's application name, so its backends can be told apart. */
    static String tagged(String pgUrl) {
        return pgUrl + (pgUrl.contains("?") ? "&" : "?") + "ApplicationName=" + APPLICATION;
    }

    /** Starts measuring; {@code lookup} is the benchmark's long-lived connection for finding its backends. */
    static CpuMeter start(Connection lookup) {
        return new CpuMeter(lookup);
    }

    /** Microseconds of CPU per unit of work since start: {jvm, postgres}. */
    double[] perUnitMicros(long units) {
        long pg = pgNanos(lookup);
        double jvm = (jvmNanos() - jvmStart) / 1e3 / units;
        return new double[] {Math.round(jvm * 10) / 10.0, pg < 0 || pgStart < 0 ? -1 : Math.round((pg - pgStart) / 1e3 / units * 10) / 10.0};
    }

    private static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Summed CPU of this benchmark's live backends (a backend that exited mid-phase takes its share with it). */
    private static long pgNanos(Connection c) {
        List<Long> pids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select pid from pg_stat_activity where application_name = ? and pid <> pg_backend_pid()")) {
            ps.setString(1, APPLICATION);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getLong(1));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            } catch (Exception e) {
                return -1; // not on this host, or not readable
            }
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
