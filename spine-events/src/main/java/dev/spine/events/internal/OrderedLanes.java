package dev.spine.events.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fixed lanes for ordered handling per partition key: a key always maps to the same lane, each lane is
 * one thread taking its messages in arrival order, so one key's events run one at a time in order while
 * other keys run on the other lanes. A full lane makes {@link #dispatch} wait (backpressure on the pull
 * loop, so nothing piles up in memory).
 */
final class OrderedLanes<T> {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedLanes.class);
    /** Tells a lane to finish: everything queued before it is handled first. */
    private static final Object END = new Object();

    private final List<BlockingQueue<Object>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    OrderedLanes(int lanes, int capacity, String name, Consumer<T> handler) {
        for (int i = 0; i < lanes; i++) {
            BlockingQueue<Object> q = new ArrayBlockingQueue<>(Math.max(1, capacity));
            queues.add(q);
            Thread t = new Thread(() -> run(q, handler), "spine-" + name + "-lane-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    @SuppressWarnings("unchecked")
    private static <T> void run(BlockingQueue<Object> q, Consumer<T> handler) {
        try {
            while (true) {
                Object m = q.take();
                if (m == END) {
                    return;
                }
                handler.accept((T) m);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues {@code m} on the lane of {@code key}, waiting while that lane is full. */
    void dispatch(T m, String key) throws InterruptedException {
        queues.get(Math.floorMod(key.hashCode(), queues.size())).put(m);
    }

    /** Lets every lane finish what it holds, waiting up to {@code timeout} in all; true if all finished. */
    boolean finish(Duration timeout) throws InterruptedException {
        for (BlockingQueue<Object> q : queues) {
            q.put(END);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (Thread t : threads) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            t.join(left);
            if (t.isAlive()) {
                all = false;
                LOG.warn("{} did not finish in time; its events will be redelivered after AckWait", t.getName());
                t.interrupt();
            }
        }
        return all;
    }
}
