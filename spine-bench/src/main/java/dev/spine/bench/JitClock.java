package dev.spine.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Time this JVM's JIT compilers spent compiling, summed over their threads. On two cores a C2 compile of a
 * big method takes up to a second, and the service's hot path (NATS client, Jackson, the JDBC driver, the
 * queue) keeps C2 busy for tens of seconds after start: a warm-up of a fixed size measured part of that.
 */
final class JitClock {
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private JitClock() {}

    /** Milliseconds spent compiling since the JVM started. */
    static long millis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /**
     * Runs {@code round} until the JIT spent less than {@code settledShare} of a round's wall time compiling
     * (at least {@code minRounds}, at most {@code maxRounds}): the service is then measured warm, as a
     * long-running one runs. Returns how many rounds ran.
     */
    static int warmUntilSettled(Round round, int minRounds, int maxRounds, double settledShare) throws Exception {
        for (int i = 1; i <= maxRounds; i++) {
            long jit0 = millis();
            long t0 = System.nanoTime();
            round.run();
            double share = (millis() - jit0) / ((System.nanoTime() - t0) / 1e6);
            JobsBench.progress(String.format("warm-up round %d: JIT compiling %.0f%% of the time", i, 100 * share));
            if (i >= minRounds && share < settledShare) {
                return i;
            }
        }
        return maxRounds;
    }

    interface Round {
        void run() throws Exception;
    }
}
