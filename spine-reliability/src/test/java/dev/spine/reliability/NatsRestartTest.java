package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.nats.client.Connection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A private nats-server is killed (SIGKILL) and restarted twice while a publisher publishes asynchronously
 * and the job service consumes. During each outage (3 s) the publisher's connection buffers a few hundred
 * events and then refuses more, so publishes made meanwhile are either acknowledged after the restart or
 * reported to the publisher; every publish ends one way or the other (none hangs),
 * reported ones are published again (same eventId: stored at most once), no acknowledged event is lost
 * or turned into two jobs, and the job service reconnects and becomes ready again by itself. Prints
 * published / acked / reported / created / ran / lost / duplicated.
 */
@ExtendWith(SpineServices.class)
class NatsRestartTest {
    /** Events acknowledged before the first outage, between outages, and after the last. */
    static final int STRETCH = 300;
    static final int RESTARTS = 2;
    static final Duration OUTAGE = Duration.ofSeconds(3);
    /**
     * How long the job service may take to consume again after a restart: its pull requests expire after
     * 5 s (EventIngest.PULL_EXPIRES), so a lost one is replaced within seconds (with jnats' default 30 s
     * pulls this took up to ~90 s); the rest is slack for a busy machine.
     */
    static final Duration RESUME_WITHIN = Duration.ofSeconds(30);
    /** The publisher buffers this much while disconnected (a few hundred events); the rest are reported. */
    static final long RECONNECT_BUFFER = 128 * 1024;

    /**
     * The highest stream sequence the job service's durable consumer has been handed (0 while unknown), read
     * on the test's own connection: consumer info is JetStream's, not the bus API's.
     */
    private static long deliveredSequence(Connection management, ServerConfig config) {
        try {
            return management.jetStreamManagement().getConsumerInfo(config.engine().topology().platformStream(),
                    config.engine().ingest().consumer()).getDelivered().getStreamSequence();
        } catch (Exception e) {
            return 0; // NATS still coming back
        }
    }

    @Test
    void natsKilledAndRestartedMidLoadLosesNoAcknowledgedEvent(TestDatabase db, @TempDir Path tmp) throws Exception {
        Ledger ledger = new Ledger("nats restart");
        try (PrivateNats nats = PrivateNats.builder(tmp).name("nats-restart").build().start()) {
            ServerConfig config = Fixture.config(db.url(), db.schema(), nats.url(), "NR", Map.of());
            try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                    .handler(Fixture.JOB_TYPE, ledger::run).build().start();
                 Connection connection = Fixture.connect(nats.url(), RECONNECT_BUFFER);
                 Connection management = Fixture.connect(nats.url());
                 Spine publisher = Spine.builder(connection).topology(config.engine().topology())
                         .publishTimeout(Duration.ofSeconds(1)).publishRetries(1).build()) {
                AtomicBoolean loading = new AtomicBoolean(true);
                CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                    for (int i = 0; loading.get(); i++) {
                        ledger.publishAsync(publisher, Fixture.event(i));
                        if (i % 5 == 4) {
                            Fixture.pause(20); // a steady ~250 events/s, so the outages fall mid-load
                        }
                    }
                });
                for (int r = 0; r <= RESTARTS; r++) {
                    int before = ledger.acknowledged();
                    Eventually.await("the load is under way (" + STRETCH + " more acknowledged) after outage " + r,
                            Duration.ofSeconds(60), () -> ledger.acknowledged() >= before + STRETCH);
                    if (r == RESTARTS) {
                        break;
                    }
                    System.out.println("nats restart: outage " + (r + 1) + " at " + ledger.acknowledged() + " acknowledged");
                    long lastStored = service.engine().bus().lastSequence();
                    nats.kill();
                    Eventually.await("the job service sees the outage", Duration.ofSeconds(30),
                            () -> Http.get(service, "/health/ready").status() == 503);
                    // the outage outlasts the publisher's timeout and retry: publishes meanwhile are reported
                    Fixture.pause(OUTAGE.toMillis());
                    nats.start();
                    long restarted = System.nanoTime();
                    Eventually.await("the job service reconnects and is ready by itself", Duration.ofSeconds(60),
                            () -> Http.get(service, "/health/ready").status() == 200);
                    long ready = System.nanoTime();
                    // jnats notices a dead pull only by missed heartbeats, so this can take a while (see RELIABILITY.md)
                    Eventually.await("the job service consumes again by itself", RESUME_WITHIN,
                            () -> deliveredSequence(management, config) > lastStored);
                    System.out.printf("nats restart: outage %d: ready %d ms after the restart, consuming again after %d ms%n",
                            r + 1, (ready - restarted) / 1_000_000, (System.nanoTime() - restarted) / 1_000_000);
                }
                loading.set(false);
                System.out.println("nats restart: load stopped at " + ledger.acknowledged() + " acknowledged");
                load.get(2, TimeUnit.MINUTES);
                ledger.awaitSettled(Duration.ofSeconds(60));
                ledger.retryReported(publisher, Duration.ofSeconds(60));
                Eventually.await("every acknowledged event's job ran", Duration.ofMinutes(2),
                        () -> ledger.distinctRuns() >= ledger.acknowledged());
                Ledger.Counts counts = ledger.count(service.engine().dataSource(), config.engine().postgres().schema());
                assertTrue(counts.reported() > 0, "the outages overflow the reconnect buffer: some publishes are reported");
                assertEquals(counts.published(), counts.acked(), "in the end every event is acknowledged");
                assertEquals(0, counts.lost(), "no acknowledged event lost");
                assertEquals(0, counts.duplicated(), "no event turned into two jobs");
                assertEquals(counts.acked(), counts.created());
                assertEquals(counts.acked(), counts.ran(), "every job ran");
                assertTrue(Http.get(service, "/health/ready").status() == 200);
            }
        }
    }
}
