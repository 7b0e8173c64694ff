package dev.spine.server.cli;

import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.JobTier;
import dev.spine.events.EventBus;
import dev.spine.events.postgres.EventBuses;
import dev.spine.server.ServerConfig;
import dev.spine.service.HandlerWorker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spine worker --handlers <jar>}: a worker-only process for a team that owns some job types. It runs the
 * jar's {@code JobHandlerProvider}s on the tier queues (all of them unless {@code --tiers} names some), claims
 * only those job types, and consumes no events: the job service (or the team's own publisher) makes the jobs.
 * Runs until SIGTERM or Ctrl-C, which finish running jobs up to {@code SPINE_SHUTDOWN_TIMEOUT}.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs the job handlers of plug-in jars on the tier queues (no event ingest, no HTTP).")
final class WorkerCommand extends SpineCommand {
    @Option(names = "--handlers", paramLabel = "JAR", required = true,
            description = "a jar of JobHandlerProvider plug-ins (META-INF/services); repeat for several")
    List<Path> jars = new ArrayList<>();

    @Option(names = "--tiers", paramLabel = "TIER", split = ",",
            description = "the tier queues to work (default all: realtime,interactive,background)")
    List<String> tiers = new ArrayList<>();

    @Override
    int run(Backends backends) throws InterruptedException {
        ServerConfig server = backends.server();
        Set<JobTier> chosen = tiers();
        // the handlers' follow-up events go to the bus SPINE_EVENT_BUS names, like the job service's
        EventBus bus = EventBuses.fromEnvironment(server.asVariables(), null);
        HandlerWorker worker;
        try {
            worker = HandlerWorker.start(server.engine(), jars, chosen, bus, new MetricRegistry());
        } catch (RuntimeException e) {
            bus.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                worker.close();
                bus.close();
            } finally {
                stopped.countDown();
            }
        }, "spine-worker-shutdown"));
        out().println("spine worker: running job types " + worker.jobTypes() + " on "
                + chosen.stream().map(JobTier::queueName).toList()
                + " (SIGTERM or Ctrl-C stops gracefully)");
        out().flush();
        stopped.await();
        return OK;
    }

    private Set<JobTier> tiers() {
        Set<JobTier> chosen = new LinkedHashSet<>();
        if (tiers.isEmpty()) {
            chosen.addAll(List.of(JobTier.values()));
        }
        for (String t : tiers) {
            chosen.add(tier(t.trim()));
        }
        return chosen;
    }

    private static JobTier tier(String name) {
        for (JobTier t : JobTier.values()) {
            if (t.queueName().equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw CommandFailure.invalid("INVALID_TIER", "--tiers", "no tier " + name + ": one of "
                + java.util.Arrays.stream(JobTier.values()).map(JobTier::queueName).toList());
    }
}
