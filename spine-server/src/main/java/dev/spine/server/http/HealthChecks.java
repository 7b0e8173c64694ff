package dev.spine.server.http;

import dev.spine.events.BusStatus;
import dev.spine.events.EventBus;
import dev.spine.service.JobService;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The checks behind {@code /health/*}: the engine's event bus says it is up ({@code EventBus.status()}, any
 * backend; on NATS: the connection is CONNECTED), PostgreSQL answers {@code select 1} within
 * {@link #DATABASE_TIMEOUT}, and the ingest's last batch committed.
 *
 * <p>The database check runs on its own thread and is awaited for at most the timeout: a pool whose
 * server vanished can block in {@code getConnection} for the pool's connection timeout, longer than a
 * probe may take. At most one database check runs at a time; probes arriving meanwhile share its answer,
 * so a hanging server cannot pile up threads.
 */
final class HealthChecks implements AutoCloseable {
    /** How long PostgreSQL may take to answer before the database counts as down. */
    static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(2);

    /** One check's outcome; {@code detail} says what was seen, never a secret. */
    record Check(boolean ok, String detail) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", ok ? "ok" : "error");
            m.put("detail", detail);
            return m;
        }
    }

    private final JobService service;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "spine-admin-health");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<CompletableFuture<Check>> databaseInFlight = new AtomicReference<>();

    HealthChecks(JobService service) {
        this.service = service;
    }

    Check broker() {
        EventBus bus = service.bus();
        if (bus == null) {
            return new Check(false, "event bus not started");
        }
        BusStatus status = bus.status(); // never throws
        return new Check(status.up(), status.detail());
    }

    Check database() {
        CompletableFuture<Check> mine = new CompletableFuture<>();
        CompletableFuture<Check> running = databaseInFlight.compareAndExchange(null, mine);
        if (running == null) {
            running = mine;
            executor.execute(() -> {
                try {
                    mine.complete(selectOne());
                } finally {
                    databaseInFlight.compareAndSet(mine, null);
                }
            });
        }
        try {
            return running.get(DATABASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Check(false, "PostgreSQL did not answer select 1 within " + DATABASE_TIMEOUT.toMillis() + " ms");
        } catch (ExecutionException e) {
            return new Check(false, "PostgreSQL check failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, "interrupted while checking PostgreSQL");
        }
    }

    private Check selectOne() {
        try (java.sql.Connection c = service.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout((int) DATABASE_TIMEOUT.toSeconds());
            try (ResultSet rs = s.executeQuery("select 1")) {
                return new Check(rs.next() && rs.getInt(1) == 1, "select 1 answered");
            }
        } catch (Exception e) {
            // the failure is the answer: reported in the probe's body rather than logged on every probe
            return new Check(false, "PostgreSQL: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    Check ingest() {
        return service.ingestHealthy() ? new Check(true, "last batch committed")
                : new Check(false, "the event ingest is not committing: " + service.ingestLastError());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
