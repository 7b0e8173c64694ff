package dev.spine.testkit;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real NATS server with JetStream for one test. {@link #prefix()} is unique to the test: use it in
 * stream names and subjects so tests can run in parallel; streams whose names start with it are deleted
 * when the test ends, and so are connections opened through {@link #connect()}.
 */
public final class TestNats implements AutoCloseable {
    private final String url;
    private final String prefix;
    private final List<Connection> connections = new ArrayList<>();

    TestNats(String url) {
        this.url = url;
        this.prefix = "T" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase();
    }

    /** The server's URL, e.g. {@code nats://127.0.0.1:4222}. */
    public String url() {
        return url;
    }

    /** A token unique to this test (letters and digits), for stream names and subject prefixes. */
    public String prefix() {
        return prefix;
    }

    /** A new connection, closed when the test ends. */
    public synchronized Connection connect() {
        try {
            Connection c = Nats.connect(new Options.Builder().server(url)
                    .connectionTimeout(Duration.ofSeconds(5)).build());
            connections.add(c);
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to NATS at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to NATS at " + url, e);
        }
    }

    @Override
    public synchronized void close() throws Exception {
        try (Connection c = Nats.connect(new Options.Builder().server(url).build())) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (String name : jsm.getStreamNames()) {
                if (name.startsWith(prefix)) {
                    try {
                        jsm.deleteStream(name);
                    } catch (JetStreamApiException e) {
                        // already gone: another cleanup won the race
                    }
                }
            }
        } finally {
            for (Connection c : connections) {
                c.close();
            }
            connections.clear();
        }
    }
}
