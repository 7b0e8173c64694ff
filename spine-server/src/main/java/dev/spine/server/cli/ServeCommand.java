package dev.spine.server.cli;

import dev.spine.server.ServerConfig;
import dev.spine.server.SpineServer;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code spine serve}: the job service, configured by {@code SPINE_*} variables, until SIGTERM or Ctrl-C,
 * which close it gracefully (admin API, ingest, workers up to {@code SPINE_SHUTDOWN_TIMEOUT}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, usageHelpWidth = 120,
        description = "Runs the job service: events from NATS become jobs in PostgreSQL; workers, cron, admin API.",
        footerHeading = "%nEnvironment (variable, default, meaning):%n")
final class ServeCommand extends SpineCommand {

    /** Lists every variable of {@link ServerConfig#VARIABLES} under the help text. */
    @Spec
    void describeVariables(CommandSpec commandSpec) {
        this.spec = commandSpec;
        StringBuilder footer = new StringBuilder();
        for (Map.Entry<String, String[]> v : ServerConfig.VARIABLES.entrySet()) {
            String fallback = v.getValue()[0].isEmpty() ? "(empty)" : v.getValue()[0];
            footer.append(String.format("  %-26s %s%n      %s%n", v.getKey(), fallback, v.getValue()[1]));
        }
        // the footer is a format string: a literal % in a meaning must survive it
        commandSpec.usageMessage().footer(footer.toString().replace("%", "%%"));
    }

    @Override
    int run(Backends backends) throws InterruptedException {
        SpineServer service = SpineServer.builder(backends.server()).build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } finally {
                stopped.countDown();
            }
        }, "spine-serve-shutdown"));
        out().println("spine serve: running; admin API on http://" + service.adminAddress()
                + " (SIGTERM or Ctrl-C stops gracefully)");
        out().flush();
        stopped.await();
        return OK;
    }
}
