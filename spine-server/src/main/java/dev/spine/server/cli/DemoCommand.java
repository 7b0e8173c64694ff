package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import dev.spine.server.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code spine demo}: the job service with a demo workload and two worker processes of its own (stopped with it);
 * prints progress and a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the job service with a demo workload against PostgreSQL and NATS (schema spine_demo, "
                + "streams demo_*) and two worker processes with disjoint job types (connector, communication); one "
                + "job type has no worker and is reported unserved. Prints progress and a summary. Exit code 0 when "
                + "everything worked.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return new Demo(ServerConfig.fromEnvironment(), System.out).run();
    }
}
