package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivatePostgres;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.JetStreamManagement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A private PostgreSQL is stopped (fast shutdown: every session cut) and started again while events keep
 * coming: the job service stops acknowledging events (the consumer's ack floor stands still while the
 * stream grows), reports not-ready on {@code /health/ready}, then resumes by itself; no event is lost or
 * turned into two jobs, and every job runs. Prints published / created / ran / lost / duplicated.
 */
@ExtendWith(SpineServices.class)
class PgRestartTest {
    static final int STRETCH = 300;
    static final Duration OUTAGE = Duration.ofSeconds(3);

    @Test
    void postgresRestartedMidLoadPausesAckingThenResumesLosingNothing(TestNats nats) throws Exception {
        Ledger ledger = new Ledger("postgres restart");
        try (PrivatePostgres pg = PrivatePostgres.start("pgrestart")) {
            ServerConfig config = Fixture.config(pg.jdbcUrl(), "spine_jobs", nats.url(), nats.prefix(), Map.of());
            try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                    .handler(Fixture.JOB_TYPE, ledger::run).build().start();
                 Spine publisher = Spine.builder(nats.connect()).topology(config.engine().topology()).build()) {
                JetStreamManagement jsm = nats.connect().jetStreamManagement();
                String stream = config.engine().topology().platformStream();
                AtomicBoolean loading = new AtomicBoolean(true);
                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int i = 0; loading.get(); i++) {
                        ledger.publish(publisher, Fixture.event(i));
                        if (i % 5 == 4) {
                            Fixture.pause(20);
                        }
                    }
                });
                Eventually.await("jobs run before the outage", Duration.ofSeconds(60),
                        () -> ledger.distinctRuns() >= STRETCH);

                pg.stop();
                Eventually.await("readiness reports the database and the ingest", Duration.ofSeconds(30), () -> {
                    Http.Reply r = Http.get(service, "/health/ready");
                    return r.status() == 503 && r.body().contains("\"database\":{\"status\":\"error\"")
                            && r.body().contains("\"ingest\":{\"status\":\"error\"");
                });
                long ackFloor = jsm.getConsumerInfo(stream, config.engine().ingest().consumer()).getAckFloor().getStreamSequence();
                long stored = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
                Fixture.pause(OUTAGE.toMillis()); // the outage, while events keep arriving
                long ackFloorLater = jsm.getConsumerInfo(stream, config.engine().ingest().consumer()).getAckFloor().getStreamSequence();
                long storedLater = jsm.getStreamInfo(stream).getStreamState().getLastSequence();
                System.out.printf("postgres restart: during the outage the stream grew %d -> %d, the ack floor %d -> %d%n",
                        stored, storedLater, ackFloor, ackFloorLater);
                assertTrue(storedLater > stored, "events kept arriving during the outage");
                assertEquals(ackFloor, ackFloorLater, "nothing is acknowledged while PostgreSQL is down");
                assertEquals(200, Http.get(service, "/health/live").status(), "alive while not ready");

                pg.start();
                long restarted = System.nanoTime();
                Eventually.await("ready again by itself", Duration.ofSeconds(60),
                        () -> Http.get(service, "/health/ready").status() == 200);
                int before = ledger.acknowledged();
                Eventually.await("events after the outage become jobs", Duration.ofSeconds(60),
                        () -> ledger.distinctRuns() >= before + STRETCH);
                System.out.printf("postgres restart: ready and consuming again %d ms after the restart%n",
                        (System.nanoTime() - restarted) / 1_000_000);
                loading.set(false);
                load.get(1, TimeUnit.MINUTES);
                ledger.retryReported(publisher, Duration.ofSeconds(30));
                Eventually.await("every acknowledged event's job ran", Duration.ofMinutes(2),
                        () -> ledger.distinctRuns() >= ledger.acknowledged());
                Ledger.Counts counts = ledger.count(service.engine().dataSource(), config.engine().postgres().schema());
                assertEquals(counts.published(), counts.acked());
                assertEquals(0, counts.lost(), "no acknowledged event lost");
                assertEquals(0, counts.duplicated(), "no event turned into two jobs");
                assertEquals(counts.acked(), counts.created());
                assertEquals(counts.acked(), counts.ran(), "every job ran");
            }
        }
    }
}
