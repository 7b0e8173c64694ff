package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import dev.spine.server.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code spine demo}: the job service with a demo workload; prints progress and a summary. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the job service with a demo workload against PostgreSQL and NATS (schema spine_demo, "
                + "streams demo_*), printing progress and a summary. Exit code 0 when everything worked.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return new Demo(ServerConfig.fromEnvironment(), System.out).run();
    }
}
