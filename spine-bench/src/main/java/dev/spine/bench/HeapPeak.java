package dev.spine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The most heap this JVM used while a benchmark ran, sampled every 20 ms by a daemon thread. With the JVM
 * started with {@code -Xmx256m} (as {@code bench all} starts the spine run), it shows the job service at full
 * load fits that heap; without a limit it mostly shows how lazily the collector runs.
 */
final class HeapPeak {
    private static final long SAMPLE_MILLIS = 20;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile long peak;

    private HeapPeak() {
        sampler = new Thread(this::sample, "bench-heap-peak");
        sampler.setDaemon(true);
    }

    static HeapPeak start() {
        HeapPeak h = new HeapPeak();
        h.sampler.start();
        return h;
    }

    private void sample() {
        while (running) {
            peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
            try {
                Thread.sleep(SAMPLE_MILLIS); // a sampling period, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops sampling; the peak in MiB. */
    long stop() {
        running = false;
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed());
        return peak >> 20;
    }
}
