package dev.spine.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spine} command line. The {@code ./spine} launcher resolves PostgreSQL and NATS, exports
 * {@code SPINE_PG_URL} / {@code SPINE_NATS_URL}, and runs this class with the remaining arguments.
 */
@Command(name = "spine", mixinStandardHelpOptions = true, version = "spine 0.1.0-SNAPSHOT",
        description = "The spine: events on NATS JetStream, jobs in PostgreSQL.",
        subcommands = {DemoCommand.class, ServeCommand.class, PublishCommand.class, TailCommand.class,
                StreamsCommand.class, QueuesCommand.class, JobsCommand.class, DlqCommand.class, ReplayCommand.class,
                MigrateCommand.class, EventsCommand.class, WorkersCommand.class, OutboxCommand.class})
public final class SpineCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SpineCli()).execute(args));
    }
}
