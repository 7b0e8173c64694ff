package dev.spine.reliability;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.server.ServerConfig;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A job service wired to private servers, and the event the fault tests publish. */
final class Fixture {
    /** The one routed event type, and the job it becomes (reliability-routes.yaml). */
    static final String EVENT_TYPE = "data.EntityCreated";
    static final String JOB_TYPE = "IndexDocumentJob";

    private Fixture() {}

    /**
     * Service settings for a test: its own schema, stream and subject prefixes, consumer, any free admin
     * port, few connections and workers (the machine is small and shared), quick redelivery.
     */
    static ServerConfig config(String pgUrl, String schema, String natsUrl, String prefix,
            Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_PG_URL", pgUrl);
        env.put("SPINE_PG_SCHEMA", schema);
        env.put("SPINE_PG_POOL_SIZE", "4");
        env.put("SPINE_NATS_URL", natsUrl);
        env.put("SPINE_STREAM_PREFIX", prefix + "_");
        env.put("SPINE_SUBJECT_PREFIX", prefix + ".");
        env.put("SPINE_HTTP_ADDR", "127.0.0.1:0");
        env.put("SPINE_ADMIN_TOKEN", "reliability-token");
        env.put("SPINE_WORKERS_REALTIME", "1");
        env.put("SPINE_WORKERS_INTERACTIVE", "1");
        env.put("SPINE_WORKERS_BACKGROUND", "4");
        env.put("SPINE_SHUTDOWN_TIMEOUT", "5s");
        env.put("SPINE_ACK_WAIT", "5s");
        env.put("SPINE_ROUTES_FILE", routesFile().toString());
        // the event bus's event-store copy is a second consumer with its own bound, not the job path these
        // tests count; off, it neither adds to the shared PostgreSQL's load nor to the heap being measured
        env.put("SPINE_BUS_EVENT_STORE", "false");
        // the process's own system.* events (started, a check failing while a node is killed) would sit in the
        // stream beside the counted events; these tests count the platform's events alone
        env.put("SPINE_SYSTEM_EVENTS", "false");
        env.putAll(overrides);
        return ServerConfig.from(env::get);
    }

    static Path routesFile() {
        try {
            return Path.of(Fixture.class.getResource("/reliability-routes.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A routed event whose data says its number in the load. */
    static EventEnvelope event(int n) {
        return EventEnvelope.builder().eventType(EVENT_TYPE).source("reliability")
                .data(JsonNodeFactory.instance.objectNode().put("n", n)).build();
    }

    /** A publisher's connection: reconnects forever, quickly, buffering what it sends meanwhile. */
    static Connection connect(String url) {
        return connect(url, Options.DEFAULT_RECONNECT_BUF_SIZE);
    }

    /**
     * A publisher's connection that buffers at most {@code reconnectBuffer} bytes while disconnected;
     * beyond that a publish fails at once (and the spine reports it).
     */
    static Connection connect(String url, long reconnectBuffer) {
        Options options = new Options.Builder().server(url).connectionName("reliability-publisher")
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).connectionTimeout(Duration.ofSeconds(5))
                .reconnectBufferSize(reconnectBuffer).build();
        try {
            return Nats.connect(options);
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The repository root (Surefire passes it as spine.repo), for nats/ configs. */
    static Path repo() {
        String repo = System.getProperty("spine.repo");
        return repo == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(repo).toAbsolutePath().normalize();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis); // the load's pace or the length of an outage, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
