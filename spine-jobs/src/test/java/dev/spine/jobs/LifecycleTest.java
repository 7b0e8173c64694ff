package dev.spine.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Threads and connections belong to {@code start()} and {@code close()}, never to construction. Each step
 * runs on a thread of its own thread group: a thread the queue starts there joins that group, so the
 * count is this queue's alone, whatever other tests run beside it.
 */
@ExtendWith(SpineServices.class)
class LifecycleTest {

    @Test
    void buildStartsNoThreadAndOpensNoConnectionStartDoesAndCloseStopsThemAll(TestDatabase db) throws Exception {
        AtomicInteger connections = new AtomicInteger();
        DataSource counting = counting(db.dataSource(), connections);
        ThreadGroup group = new ThreadGroup("lifecycle-under-test");
        JobQueue q = inGroup(group, () -> JobQueue.builder(counting).schema(db.schema())
                .handler("T", job -> { })
                .work("realtime", 2)
                .schedule(CronSchedule.of("nightly", "0 0 2 * * *", "UTC", JobRequest.of("T", Map.of())))
                .build());
        try {
            assertEquals(0, group.activeCount(), "build() started no thread");
            assertEquals(0, connections.get(), "build() opened no connection");
            inGroup(group, () -> {
                q.start();
                return q;
            });
            assertTrue(group.activeCount() > 0, "start() started the workers, writer, notifier, listener and cron");
            assertTrue(connections.get() > 0);
        } finally {
            q.close();
        }
        Eventually.await("every thread the queue started has ended", () -> group.activeCount() == 0);
    }

    private static <T> T inGroup(ThreadGroup group, java.util.concurrent.Callable<T> step) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(group, () -> {
            try {
                result.set(step.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /** The real DataSource, counting the connections asked of it. */
    private static DataSource counting(DataSource real, AtomicInteger count) {
        return (DataSource) Proxy.newProxyInstance(LifecycleTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        count.incrementAndGet();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
