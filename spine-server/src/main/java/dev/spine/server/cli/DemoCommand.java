package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import dev.spine.server.demo.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
    @Option(names = "--keep-running", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "after the summary, keep the job service and its workers running this long (e.g. 5m) with a "
                    + "steady workload, and print the dashboard's address and key so its charts fill; default: end "
                    + "with the summary")
    Duration keepRunning = Duration.ZERO;

    @Override
    public Integer call() throws Exception {
        return new Demo(ServerConfig.fromEnvironment(), System.out).keepRunning(keepRunning).run();
    }
}
