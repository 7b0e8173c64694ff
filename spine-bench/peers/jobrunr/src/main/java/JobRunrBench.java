// Peer: JobRunr 8.7 on the local PostgreSQL (schema peer_jobrunr, dropped before and after).
// Measures, with the keys spine-bench's JobsBench prints:
//   insert_per_s  N jobs enqueued as one stream (JobRunr saves a stream in batches)
//   send_per_s    min(N, 10000) single enqueue calls from 16 threads
//   drain_per_s   all of those (N + singles) run by a no-op job on WORKERS workers, the server started only
//                 now, at the shortest poll interval JobRunr allows (5 s)
//   lat_*_ms      enqueue -> job latency of LAT_N jobs enqueued at 100/s (bounded below by the 5 s poll)
// Env: N (default 50000), LAT_N (300), WORKERS (16), PG_URL_JDBC (jdbc:postgresql://...). One JSON line on stdout.
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

public class JobRunrBench {
    static final String SCHEMA = "peer_jobrunr";
    static final AtomicInteger done = new AtomicInteger();
    static final List<Long> lats = Collections.synchronizedList(new ArrayList<>());
    static volatile boolean latMode;

    /** The job: JobRunr serialises this call (class, method, argument) into its job table. */
    public static void work(long sentAtMillis) {
        if (latMode) lats.add(System.currentTimeMillis() - sentAtMillis);
        done.incrementAndGet();
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(System.getenv().getOrDefault("N", "50000"));
        int latN = Integer.parseInt(System.getenv().getOrDefault("LAT_N", "300"));
        int workers = Integer.parseInt(System.getenv().getOrDefault("WORKERS", "16"));
        String url = System.getenv().getOrDefault("PG_URL_JDBC", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA);
        ds.setMaximumPoolSize(20);
        execute(ds, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
        // Configured now, started only for the drain phase, at the shortest poll interval JobRunr allows.
        JobScheduler scheduler = JobRunr.configure()
                .useStorageProvider(SqlStorageProviderFactory.using(ds))
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(workers).andPollInterval(Duration.ofSeconds(5)), false)
                .initialize().getJobScheduler();

        long t0 = System.nanoTime();
        scheduler.enqueue(IntStream.range(0, n).boxed(), i -> JobRunrBench.work(0L));
        double insertS = (System.nanoTime() - t0) / 1e9;

        int sn = Math.min(n, 10000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger next = new AtomicInteger();
        t0 = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        for (int k = 0; k < 16; k++) {
            senders.add(pool.submit(() -> {
                while (next.getAndIncrement() < sn) scheduler.enqueue(() -> JobRunrBench.work(0L));
            }));
        }
        for (Future<?> f : senders) f.get();
        double sendS = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();

        int total = n + sn;
        t0 = System.nanoTime();
        BackgroundJobServer server = JobRunr.getBackgroundJobServer();
        server.start();
        long deadline = System.currentTimeMillis() + 600_000;
        while (done.get() < total && System.currentTimeMillis() < deadline) Thread.sleep(5);
        double drainS = (System.nanoTime() - t0) / 1e9;
        int drained = done.get();

        latMode = true;
        done.set(0);
        for (int i = 0; i < latN; i++) {
            long now = System.currentTimeMillis();
            scheduler.enqueue(() -> JobRunrBench.work(now));
            Thread.sleep(10);
        }
        deadline = System.currentTimeMillis() + 60_000;
        while (done.get() < latN && System.currentTimeMillis() < deadline) Thread.sleep(5);
        List<Long> sorted;
        synchronized (lats) { sorted = new ArrayList<>(lats); }
        Collections.sort(sorted);
        System.out.printf("{\"peer\":\"jobrunr\",\"version\":\"8.7.0\",\"N\":%d,\"insert_per_s\":%d,\"send_per_s\":%d,"
                        + "\"drain_per_s\":%d,\"drained\":%d,\"workers\":%d,\"lat_n\":%d,\"lat_p50_ms\":%d,\"lat_p99_ms\":%d,"
                        + "\"lat_max_ms\":%d}%n",
                n, Math.round(n / insertS), Math.round(sn / sendS), Math.round(total / drainS), drained,
                workers, sorted.size(), pct(sorted, 0.5), pct(sorted, 0.99), pct(sorted, 1.0));
        server.stop();
        JobRunr.destroy();
        execute(ds, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        ds.close();
        System.exit(0);
    }

    static long pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    static void execute(HikariDataSource ds, String... statements) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
        }
    }
}
