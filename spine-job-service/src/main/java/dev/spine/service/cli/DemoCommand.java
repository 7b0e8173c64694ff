package dev.spine.service.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code spine demo}: placeholder until the demo workload lands. */
@Command(name = "demo", description = "Runs the demo workload against PostgreSQL and NATS.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        String pg = System.getenv().getOrDefault("SPINE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        try (var c = java.sql.DriverManager.getConnection(pg)) {
            System.out.println("demo: PostgreSQL answers: " + c.getMetaData().getDatabaseProductVersion());
        }
        return 0;
    }
}
