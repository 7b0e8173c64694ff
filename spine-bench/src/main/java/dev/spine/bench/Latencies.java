package dev.spine.bench;

import java.util.Arrays;

/** Latency samples in microseconds, summarised the way the peers' scripts do (index floor(p * n)). */
final class Latencies {
    private final long[] micros;
    private int count;

    Latencies(int capacity) {
        micros = new long[capacity];
    }

    synchronized void add(long sampleMicros) {
        if (count < micros.length) {
            micros[count++] = sampleMicros;
        }
    }

    synchronized int count() {
        return count;
    }

    /** The p-quantile in milliseconds, two decimals. */
    synchronized double percentileMillis(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(micros, count);
        Arrays.sort(sorted);
        long v = sorted[Math.min(count - 1, (int) Math.floor(p * count))];
        return Math.round(v / 10.0) / 100.0;
    }

    synchronized double maxMillis() {
        return percentileMillis(1.0);
    }
}
