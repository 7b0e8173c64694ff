package dev.spine.server.cli;

import dev.spine.contracts.ConfigException;
import dev.spine.server.LogFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spine} command line. The {@code ./spine} launcher resolves PostgreSQL and NATS, exports
 * {@code SPINE_PG_URL} / {@code SPINE_NATS_URL}, and runs this class with the remaining arguments; the
 * packaged CLI ({@code ./spine dist}: {@code bin/spine}) runs it with the caller's environment.
 */
@Command(name = "spine", mixinStandardHelpOptions = true, versionProvider = SpineCli.BuildVersion.class,
        description = "The spine: events on NATS JetStream, jobs in PostgreSQL.",
        subcommands = {DemoCommand.class, ServeCommand.class, PublishCommand.class, TailCommand.class,
                StreamsCommand.class, QueuesCommand.class, JobsCommand.class, DeadLettersCommand.class, ReplayCommand.class,
                MigrateCommand.class, EventsCommand.class, WorkersCommand.class, OutboxCommand.class,
                SchedulesCommand.class, RejectedEventsCommand.class, BreakersCommand.class})
public final class SpineCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        try {
            LogFormat.apply(); // before anything logs: Logback reads its configuration on first use
        } catch (ConfigException e) {
            System.err.println("spine: INVALID_CONFIG " + e.getMessage());
            System.exit(SpineCommand.INVALID);
        }
        System.exit(new CommandLine(new SpineCli()).execute(args));
    }

    /** {@code spine --version}: the version Maven built, from {@code version.properties}. */
    static final class BuildVersion implements CommandLine.IVersionProvider {
        static final String RESOURCE = "version.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"spine " + version()};
        }

        static String version() {
            try (InputStream in = SpineCli.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing beside SpineCli: build with Maven");
                }
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
