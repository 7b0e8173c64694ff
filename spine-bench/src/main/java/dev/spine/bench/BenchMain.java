package dev.spine.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code spine bench NAME}: runs one benchmark and prints one JSON line on stdout (progress goes to
 * stderr). Names: see {@link #BENCHES}.
 */
public final class BenchMain {
    /** Each benchmark by the name the CLI takes. */
    private static final Map<String, Bench> BENCHES = new LinkedHashMap<>();

    static {
        BENCHES.put("jobs", new JobsBench());
        BENCHES.put("events", new EventsBench());
        BENCHES.put("spine", new SpineBench());
        BENCHES.put("all", new AllBench());
        BENCHES.put("scale", new ScaleBench());
        BENCHES.put("live", new LiveBench());
        BENCHES.put("mixed", new MixedBench());
    }

    /** One benchmark: runs against the services named by SPINE_PG_URL / SPINE_NATS_URL. */
    interface Bench {
        void run(BenchEnv env) throws Exception;
    }

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "" : args[0];
        Bench bench = BENCHES.get(name);
        if (bench == null) {
            System.err.println("usage: spine bench " + String.join("|", BENCHES.keySet()));
            System.exit(2);
        }
        bench.run(BenchEnv.fromEnvironment());
        System.exit(0);
    }
}
