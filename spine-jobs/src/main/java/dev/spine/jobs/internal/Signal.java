package dev.spine.jobs.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A wake-up flag: many raises before one await count as one, so wake-ups coalesce instead of piling up. */
public final class Signal {
    private final Semaphore permits = new Semaphore(0);

    public void raise() {
        if (permits.availablePermits() == 0) {
            permits.release();
        }
    }

    /** Waits until raised or {@code millis} pass; clears the flag. Returns whether it was raised. */
    public boolean await(long millis) throws InterruptedException {
        boolean raised = permits.tryAcquire(millis, TimeUnit.MILLISECONDS);
        permits.drainPermits();
        return raised;
    }
}
