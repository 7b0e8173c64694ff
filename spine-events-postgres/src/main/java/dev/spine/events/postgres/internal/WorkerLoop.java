package dev.spine.events.postgres.internal;

import java.time.Duration;

/**
 * The one thread of a PostgreSQL subscription or live feed: started once, it polls its table and sleeps
 * between passes until the poll interval ends or a local publish wakes it, and it stops on request. The
 * batch subscription, the per-event subscription and the live feed share this wait/notify and stop.
 */
final class WorkerLoop {
    private final Object wake = new Object();
    private volatile boolean running;
    private Thread thread;

    /** Runs {@code body} on a daemon thread named {@code name}; the body loops while {@link #running()}. */
    synchronized void start(String name, Runnable body) {
        running = true;
        thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    boolean running() {
        return running;
    }

    /** Ends the current {@link #pause} now (a local publish calls it, so work is looked for at once). */
    void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Sleeps up to {@code millis} (at least 1) or until woken; false once stopped or interrupted: end the body. */
    boolean pause(long millis) {
        synchronized (wake) {
            if (!running) {
                return false;
            }
            try {
                wake.wait(Math.max(1, millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return running;
        }
    }

    /** Marks the loop stopped and wakes it; true for the call that stopped it, false if it was not running. */
    boolean stop() {
        synchronized (this) {
            if (!running) {
                return false;
            }
            running = false;
        }
        wakeUp();
        return true;
    }

    /** Waits up to {@code timeout} for the thread to end; false if it still runs then. */
    boolean join(Duration timeout) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return true;
        }
        t.join(timeout.toMillis());
        return !t.isAlive();
    }
}
