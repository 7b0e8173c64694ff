package dev.spine.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a bench handler's runs and tells when the runs a phase expects have all happened. Warm-up and
 * measured phases go through the same code: a handler that branched on "still warming up" was deoptimised,
 * together with the queue's hot path it was inlined into, when the measured phase took the other branch, and
 * C2 recompiled it during the measurement (1.7 s of JIT in a 2.5 s drain after a settled warm-up).
 */
final class RunCounter {
    private final AtomicInteger runs = new AtomicInteger();
    private volatile int target = Integer.MAX_VALUE;
    private volatile CountDownLatch reached = new CountDownLatch(1);

    /** Called by the handler on every run. */
    void ran() {
        if (runs.incrementAndGet() == target) {
            reached.countDown();
        }
    }

    /** Expects {@code n} more runs from now on; called while none is in flight. */
    void expect(int n) {
        reached = new CountDownLatch(1);
        target = runs.get() + n;
    }

    /** Waits for the expected runs; false when {@code timeout} passed first. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return reached.await(timeout, unit);
    }
}
