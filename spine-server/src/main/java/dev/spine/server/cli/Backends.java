package dev.spine.server.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.spine.events.NatsConnections;
import dev.spine.events.Spine;
import dev.spine.events.StreamTopology;
import dev.spine.jobs.JobQueue;
import dev.spine.server.ServerConfig;
import dev.spine.postgres.PgPools;
import dev.spine.postgres.PoolSettings;
import dev.spine.events.NatsSettings;
import dev.spine.service.PostgresSettings;
import dev.spine.service.ServiceConfig;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The connections one command uses, opened on first use and closed together: a small PostgreSQL pool,
 * a {@link JobQueue} that is built but never started (no workers, no cron: a command only reads and
 * edits rows), and a {@link Spine} that owns its NATS connection (made from the {@code SPINE_NATS_*}
 * settings, so no jnats type here). Nothing here needs a running server.
 */
final class Backends implements AutoCloseable {
    /** Connections of a command's pool: commands run one statement at a time. */
    static final int POOL_SIZE = 2;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final ServerConfig server;
    private final ServiceConfig config;
    private final ConnectionOptions.Given given;
    private HikariDataSource dataSource;
    private JobQueue jobs;
    private Spine spine;

    Backends(ServerConfig server, ConnectionOptions.Given given) {
        this.server = server;
        this.config = server.engine();
        this.given = given;
    }

    /** The engine's settings (PostgreSQL, NATS, streams). */
    ServiceConfig config() {
        return config;
    }

    /** What the command line gave (URLs or --dev), for a second set of backends with other settings. */
    ConnectionOptions.Given given() {
        return given;
    }

    /** The whole process's settings, for {@code spine serve}. */
    ServerConfig server() {
        return server;
    }

    DataSource dataSource() {
        if (dataSource == null) {
            require(given.postgres(), ConnectionOptions.PG_URL, "--pg JDBC_URL", PostgresSettings.DEFAULT_URL);
            dataSource = PgPools.create(PoolSettings.of(config.postgres().url(), POOL_SIZE, "spine-cli")
                    .withConnectionTimeout(CONNECT_TIMEOUT).withStartTimeout(CONNECT_TIMEOUT));
        }
        return dataSource;
    }

    JobQueue jobs() {
        if (jobs == null) {
            jobs = JobQueue.builder(dataSource()).schema(config.postgres().schema()).build();
        }
        return jobs;
    }

    StreamTopology topology() {
        return config.topology();
    }

    private io.opentelemetry.api.OpenTelemetry telemetry;

    Spine spine() {
        if (spine == null) {
            require(given.nats(), NatsConnections.URL, "--nats URL", NatsSettings.DEFAULT_URL);
            telemetry = dev.spine.service.Telemetry.fromEnvironment();
            // SPINE_NATS_* credentials and TLS, like the service; the spine closes its connection
            spine = Spine.builder(config.nats().connections(), "spine-cli").topology(topology())
                    .publishTimeout(CONNECT_TIMEOUT).openTelemetry(telemetry).build();
        }
        return spine;
    }

    /** Stops a command before it connects to a default its user never chose. */
    private static void require(boolean given, String variable, String option, String localDefault) {
        if (!given) {
            throw CommandFailure.invalid("MISSING_CONFIG", variable, "not set: set " + variable + " (or " + option
                    + "), or pass --dev to use the local default " + localDefault);
        }
    }

    @Override
    public void close() {
        if (jobs != null) {
            jobs.close();
        }
        if (spine != null) {
            spine.close();
        }
        if (telemetry instanceof io.opentelemetry.sdk.OpenTelemetrySdk sdk) {
            sdk.close(); // flushes the publish span of `spine publish`
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }
}
